package sentinel

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// RootError reports a cache path that cannot be used.
type RootError struct {
	Root string // the path as given
	Err  error
}

func (e *RootError) Error() string { return fmt.Sprintf("cache path %q: %v", e.Root, e.Err) }

// Unwrap returns the cause.
func (e *RootError) Unwrap() error { return e.Err }

// ErrOutsideWorkspace is wrapped when a path resolves outside the
// workspace.
var ErrOutsideWorkspace = errors.New("resolves outside the workspace")

// ErrOverlap is wrapped when cache paths, or a cache path and the
// quarantine folder, overlap.
var ErrOverlap = errors.New("overlaps")

// ResolveRoots turns the cache paths as given (relative to the workspace,
// or absolute inside it) into canonical workspace-relative slash paths,
// sorted and unique. The parent of each path is resolved through symbolic
// links and must stay inside the workspace; the last component is kept as
// it is, so a cache path that is itself a link is seen (and refused) by the
// walk rather than followed. Paths inside one another are refused.
func ResolveRoots(workspace string, paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, &RootError{Root: "", Err: errors.New("no cache paths given")}
	}
	var roots []string
	for _, p := range paths {
		rel, err := resolveRel(workspace, p)
		if err != nil {
			return nil, &RootError{Root: p, Err: err}
		}
		if rel == "." {
			return nil, &RootError{Root: p, Err: errors.New("is the workspace itself; name the cache folders")}
		}
		roots = append(roots, rel)
	}
	slices.Sort(roots)
	roots = slices.Compact(roots)
	for i := 1; i < len(roots); i++ {
		for j := range i {
			if within(roots[j], roots[i]) {
				return nil, &RootError{Root: roots[i], Err: fmt.Errorf("%w: lies inside cache path %q", ErrOverlap, roots[j])}
			}
		}
	}
	return roots, nil
}

// resolveRel resolves p as described for ResolveRoots and returns it
// relative to workspace with forward slashes.
func resolveRel(workspace, p string) (string, error) {
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(workspace, abs)
	}
	abs = filepath.Clean(abs)
	parent, err := evalExisting(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	real := filepath.Join(parent, filepath.Base(abs))
	rel, err := filepath.Rel(workspace, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", ErrOutsideWorkspace
	}
	return filepath.ToSlash(rel), nil
}

// evalExisting resolves symbolic links in the longest existing prefix of p
// and appends the rest unchanged.
func evalExisting(p string) (string, error) {
	var rest []string
	cur := p
	for {
		real, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("cannot be resolved: %w", err)
		}
		if fi, lerr := os.Lstat(cur); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return "", errors.New("goes through a dangling symbolic link")
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return "", fmt.Errorf("cannot be resolved: %w", err)
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// CheckApart refuses a folder the gate writes (the quarantine folder)
// that lies inside a cache path or holds one: quarantined files must leave
// the cache, and emptying the cache must not reach them.
func CheckApart(workspace string, roots []string, dir string) error {
	for _, r := range roots {
		abs := filepath.Join(workspace, filepath.FromSlash(r))
		if insideAbs(abs, dir) || insideAbs(dir, abs) {
			return fmt.Errorf("%w cache path %q", ErrOverlap, r)
		}
	}
	return nil
}

func insideAbs(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// matcher matches workspace-relative paths against exclusion globs.
type matcher []string

// ErrBadPattern is wrapped when an exclusion glob does not parse.
var ErrBadPattern = errors.New("bad exclusion pattern")

func newMatcher(patterns []string) (matcher, error) {
	for _, p := range patterns {
		if !doublestar.ValidatePattern(p) {
			return nil, fmt.Errorf("%w: %q", ErrBadPattern, p)
		}
	}
	return matcher(patterns), nil
}

func (m matcher) match(rel string) bool {
	for _, p := range m {
		if ok, _ := doublestar.Match(p, rel); ok {
			return true
		}
	}
	return false
}
