package sarifgate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// File is a SARIF file to read: Name as reported (workspace-relative,
// forward slashes) and Path on disk.
type File struct {
	Name string
	Path string
}

// Collect resolves patterns against the workspace: a file, a folder (every
// *.sarif below it, as upload-sarif takes a folder) or a doublestar glob
// ("reports/**/*.sarif"). Each file is listed once, in the order the
// patterns give them (glob matches sorted). skip, an absolute path, is
// left out of folders and globs: it is the gate's own output, which a
// broad glob would otherwise read back. A path that does not exist, a
// folder or glob that matches nothing, and anything resolving outside the
// workspace (through ".." or a symbolic link) fail with a *FileError
// naming the pattern.
func Collect(ctx context.Context, workspace string, patterns []string, skip string) ([]File, error) {
	root, err := filepath.EvalSymlinks(workspace)
	if err != nil {
		return nil, fmt.Errorf("resolving the workspace: %w", err)
	}
	c := &collector{ctx: ctx, root: root, skip: skip, seen: map[string]bool{}}
	var errs []error
	for _, p := range patterns {
		if err := c.add(p); err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				return nil, err
			}
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c.files, nil
}

type collector struct {
	ctx   context.Context
	root  string
	skip  string
	seen  map[string]bool
	files []File
}

func (c *collector) push(abs string) {
	if c.seen[abs] {
		return
	}
	c.seen[abs] = true
	rel, _ := filepath.Rel(c.root, abs)
	c.files = append(c.files, File{Name: filepath.ToSlash(rel), Path: abs})
}

func (c *collector) add(p string) error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	slash := filepath.ToSlash(p)
	if filepath.IsAbs(p) {
		rel, err := filepath.Rel(c.root, p)
		if err != nil || rel == ".." || strings.HasPrefix(filepath.ToSlash(rel), "../") {
			return &FileError{Path: p, Err: ErrOutsideWorkspace}
		}
		slash = filepath.ToSlash(rel)
	}
	rel := path.Clean(slash)
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return &FileError{Path: p, Err: ErrOutsideWorkspace}
	}
	lexical := filepath.Join(c.root, filepath.FromSlash(rel))
	if _, err := os.Lstat(lexical); err != nil {
		if errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(rel, "*?[{") {
			return c.glob(p, rel)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return &FileError{Path: p, Err: errors.New("does not exist")}
		}
		return &FileError{Path: p, Err: err}
	}
	real, err := c.inside(lexical)
	if err != nil {
		return &FileError{Path: p, Err: err}
	}
	st, err := os.Stat(real)
	if err != nil {
		return &FileError{Path: p, Err: err}
	}
	switch {
	case st.IsDir():
		return c.glob(p, path.Join(rel, "**/*.sarif"))
	case !st.Mode().IsRegular():
		return &FileError{Path: p, Err: errors.New("is not a regular file")}
	}
	c.push(real)
	return nil
}

// inside resolves symbolic links and checks the result stays in the
// workspace.
func (c *collector) inside(p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", fmt.Errorf("cannot be resolved: %w", err)
	}
	rel, err := filepath.Rel(c.root, real)
	if err != nil || rel == ".." || strings.HasPrefix(filepath.ToSlash(rel), "../") {
		return "", ErrOutsideWorkspace
	}
	return real, nil
}

// glob adds the regular files a pattern matches, sorted.
func (c *collector) glob(p, pattern string) error {
	if !doublestar.ValidatePattern(pattern) {
		return &FileError{Path: p, Err: fmt.Errorf("is not a valid glob: %w", doublestar.ErrBadPattern)}
	}
	var matches []string
	err := doublestar.GlobWalk(os.DirFS(c.root), pattern, func(m string, d fs.DirEntry) error {
		if err := c.ctx.Err(); err != nil {
			return err
		}
		real, err := c.inside(filepath.Join(c.root, filepath.FromSlash(m)))
		if errors.Is(err, ErrOutsideWorkspace) {
			return &FileError{Path: m, Err: err}
		}
		if err != nil {
			return nil // a dangling link
		}
		if st, err := os.Stat(real); err != nil || !st.Mode().IsRegular() || real == c.skip {
			return nil
		}
		matches = append(matches, real)
		return nil
	}, doublestar.WithFilesOnly(), doublestar.WithNoFollow())
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return &FileError{Path: p, Err: err}
	}
	if len(matches) == 0 {
		return &FileError{Path: p, Err: ErrNoMatch}
	}
	slices.Sort(matches)
	for _, m := range matches {
		c.push(m)
	}
	return nil
}
