package sentinel

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxLinkHops bounds symbolic link resolution, as the kernel does (40 on
// Linux); a longer chain is treated as escaping.
const maxLinkHops = 40

// linkEscapes reports whether the symbolic link at rel (workspace-relative,
// inside root) with the given target resolves, or could resolve, to a
// place outside root. It resolves the target one component at a time
// against the real tree, following the links it meets, so "b/.." is judged
// by where b really points and not by lexical cleaning, which the kernel
// does not do. Absolute targets always escape: the cache is restored into
// another workspace, so an absolute path is never part of it. Components
// that do not exist are taken lexically: they cannot lead anywhere yet.
func linkEscapes(workspace, root, rel, target string) bool {
	if rel == root {
		return true // a cache path that is itself a link points elsewhere
	}
	if filepath.IsAbs(target) || strings.HasPrefix(target, "/") {
		return true
	}
	base := filepath.Join(workspace, filepath.FromSlash(root))
	// stack holds the components of the current directory below root.
	stack := strings.Split(strings.TrimPrefix(rel, root+"/"), "/")
	stack = stack[:len(stack)-1]
	pending := strings.Split(target, "/")
	hops := 0
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(stack) == 0 {
				return true
			}
			stack = stack[:len(stack)-1]
			continue
		}
		cur := filepath.Join(base, filepath.Join(append(append([]string{}, stack...), c)...))
		fi, err := os.Lstat(cur)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			stack = append(stack, c)
			continue
		case err != nil:
			return true
		case fi.Mode()&fs.ModeSymlink != 0:
			hops++
			t, err := os.Readlink(cur)
			if err != nil || hops > maxLinkHops || filepath.IsAbs(t) {
				return true
			}
			pending = append(strings.Split(t, "/"), pending...)
		default:
			stack = append(stack, c)
		}
	}
	return false
}
