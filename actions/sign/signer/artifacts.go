package signer

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/hubgates/hub/shared/fsroot"
)

// BundleSuffix is appended to an artifact's path to name its bundle, as
// "cosign sign-blob --bundle" users conventionally do.
const BundleSuffix = ".sigstore.json"

// BundlePath returns where the bundle of the artifact at p lies.
func BundlePath(p string) string { return p + BundleSuffix }

// Artifact is a workspace file named by the artifacts input.
type Artifact struct {
	// Rel is the workspace-relative, slash-separated path: the name the
	// file is read by, through the workspace root, so that no link can
	// lead the read outside.
	Rel string
}

// ErrPattern is wrapped by every error about an artifacts pattern.
var ErrPattern = errors.New("bad artifact pattern")

// PatternError is a pattern of the artifacts input that cannot be used.
type PatternError struct {
	Pattern string
	Err     error
}

func (e *PatternError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *PatternError) Unwrap() error { return e.Err }

func patternErr(p, format string, args ...any) error {
	return &PatternError{Pattern: p, Err: fmt.Errorf("%w: "+format, append([]any{ErrPattern}, args...)...)}
}

// Resolve expands patterns (workspace-relative files or doublestar globs
// such as dist/**/*.tar.gz) into regular files of the workspace root,
// sorted and without duplicates. A literal path must exist; a glob must
// match at least one file, and skips bundles (files ending in
// [BundleSuffix]) and directories, so a rerun does not sign signatures.
// Absolute paths, ".." and links that lead outside the workspace are
// refused; globs do not descend into linked directories.
func Resolve(root *fsroot.Root, patterns []string) ([]Artifact, error) {
	if len(patterns) == 0 {
		return nil, patternErr("", "no artifacts given")
	}
	seen := map[string]bool{}
	var out []Artifact
	for _, p := range patterns {
		clean := path.Clean(filepath.ToSlash(p))
		if filepath.IsAbs(p) || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, patternErr(p, "resolves outside the workspace")
		}
		if !doublestar.ValidatePattern(clean) {
			return nil, patternErr(p, "not a valid glob")
		}
		glob := hasMeta(clean)
		var names []string
		if glob {
			// NoFollow: a link is matched as itself, never descended into,
			// so the walk stays in the workspace; the link's target is
			// checked below like any file's.
			matches, err := doublestar.Glob(root.FS(), clean, doublestar.WithFilesOnly(), doublestar.WithNoFollow(), doublestar.WithFailOnIOErrors())
			if err != nil {
				// The part before the first wildcard is followed even so;
				// a link there that leads out is the pattern's fault.
				if base, _ := doublestar.SplitPattern(clean); base != "." {
					if _, serr := root.Stat(base); errors.Is(serr, fsroot.ErrEscapes) {
						return nil, patternErr(p, "resolves outside the workspace")
					}
				}
				return nil, fmt.Errorf("expanding %q: %w", p, err)
			}
			for _, m := range matches {
				if !strings.HasSuffix(m, BundleSuffix) {
					names = append(names, m)
				}
			}
		} else {
			names = []string{clean}
		}
		matched := 0
		for _, n := range names {
			dir, err := checkFile(root, n)
			if err != nil {
				return nil, &PatternError{Pattern: p, Err: err}
			}
			if dir {
				if !glob {
					return nil, patternErr(p, "%q is not a regular file", n)
				}
				continue // a link to a folder, matched as a file
			}
			matched++
			if !seen[n] {
				seen[n] = true
				out = append(out, Artifact{Rel: n})
			}
		}
		if glob && matched == 0 {
			return nil, patternErr(p, "matches no file")
		}
	}
	slices.SortFunc(out, func(a, b Artifact) int { return strings.Compare(a.Rel, b.Rel) })
	return out, nil
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[{\`) }

// checkFile checks that rel names a regular file of root, links inside
// the workspace followed; it reports a directory (for a glob to skip).
// Problems of the name wrap ErrPattern; I/O errors are returned as they
// are.
func checkFile(root *fsroot.Root, rel string) (dir bool, err error) {
	fi, err := root.Stat(rel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("%w: %q does not exist", ErrPattern, rel)
	case errors.Is(err, fsroot.ErrEscapes):
		return false, fmt.Errorf("%w: %q resolves outside the workspace", ErrPattern, rel)
	case err != nil:
		return false, err
	case fi.IsDir():
		return true, nil
	case !fi.Mode().IsRegular():
		return false, fmt.Errorf("%w: %q is not a regular file", ErrPattern, rel)
	}
	return false, nil
}
