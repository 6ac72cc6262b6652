package fsroot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// The errors a Root returns beside the operating system's own; test them
// with errors.Is.
var (
	// ErrEscapes means a name, or a symbolic link met while resolving it,
	// leads outside the root.
	ErrEscapes = errors.New("leads outside the folder")
	// ErrNotRegular means a file that was to be read is a device, socket,
	// named pipe or directory.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge means a file is larger than the reader allows.
	ErrTooLarge = errors.New("file too large")
)

// Root is a directory tree that every operation stays inside. The zero
// value is not usable; call [Open].
type Root struct {
	root *os.Root
	dir  string
}

// Open opens dir, which must be an existing directory, as a Root. The
// caller closes it.
func Open(dir string) (*Root, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("opening folder %q: %w", dir, err)
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("opening folder %q: %w", dir, err)
	}
	return &Root{root: r, dir: abs}, nil
}

// Close releases the root's directory handle.
func (r *Root) Close() error { return r.root.Close() }

// Dir returns the absolute path the root was opened at.
func (r *Root) Dir() string { return r.dir }

// Name turns abs, an absolute path, into a name inside the root (slash
// separated), or fails with [ErrEscapes] when abs is lexically outside it.
// Names that are already relative are cleaned and checked the same way.
func (r *Root) Name(abs string) (string, error) {
	rel := abs
	if filepath.IsAbs(abs) {
		var err error
		rel, err = filepath.Rel(r.dir, abs)
		if err != nil {
			return "", fmt.Errorf("%q: %w", abs, ErrEscapes)
		}
	}
	rel = filepath.ToSlash(filepath.Clean(rel))
	if rel == ".." || strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
		return "", fmt.Errorf("%q: %w", abs, ErrEscapes)
	}
	return rel, nil
}

// osName converts a slash-separated name to the platform's form.
func osName(name string) string { return filepath.FromSlash(name) }

// wrap maps os.Root's refusal of an escaping path (which the os package
// reports with an unexported error, sometimes nested in another
// PathError) onto ErrEscapes, keeping the outer operation and name; other
// errors are returned as they are, so errors.Is(err, fs.ErrNotExist)
// still works.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() != "path escapes from parent" {
			continue
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return &fs.PathError{Op: pe.Op, Path: pe.Path, Err: ErrEscapes}
		}
		var le *os.LinkError
		if errors.As(err, &le) {
			return &os.LinkError{Op: le.Op, Old: le.Old, New: le.New, Err: ErrEscapes}
		}
		return fmt.Errorf("%w: %v", ErrEscapes, err)
	}
	return err
}

// Open opens the named file for reading.
func (r *Root) Open(name string) (*os.File, error) {
	f, err := r.root.Open(osName(name))
	return f, wrap(err)
}

// OpenRegular opens the named file for reading and returns it with its
// information, refusing anything but a regular file with [ErrNotRegular]
// before a read could block on it.
func (r *Root) OpenRegular(name string) (*os.File, fs.FileInfo, error) {
	f, err := r.root.OpenFile(osName(name), os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return nil, nil, wrap(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, &fs.PathError{Op: "open", Path: name, Err: ErrNotRegular}
	}
	return f, fi, nil
}

// ReadFile reads the named regular file whole, refusing with [ErrTooLarge]
// one larger than max bytes (max <= 0 means no limit). The size is checked
// before reading and again while reading, for a file that grows.
func (r *Root) ReadFile(name string, max int64) ([]byte, error) {
	f, fi, err := r.OpenRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if max > 0 && fi.Size() > max {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w (%d bytes; at most %d are read)", ErrTooLarge, fi.Size(), max)}
	}
	var src io.Reader = f
	if max > 0 {
		src = io.LimitReader(f, max+1)
	}
	var buf bytes.Buffer
	buf.Grow(int(fi.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(src); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if max > 0 && int64(buf.Len()) > max {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w (more than the %d bytes that are read)", ErrTooLarge, max)}
	}
	return buf.Bytes(), nil
}

// Stat returns the named file's information, following links that stay
// inside the root.
func (r *Root) Stat(name string) (fs.FileInfo, error) {
	fi, err := r.root.Stat(osName(name))
	return fi, wrap(err)
}

// Lstat returns the named file's information without following a final
// symbolic link.
func (r *Root) Lstat(name string) (fs.FileInfo, error) {
	fi, err := r.root.Lstat(osName(name))
	return fi, wrap(err)
}

// ReadDir lists the named directory, sorted by name.
func (r *Root) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(r.root.FS(), cleanFS(name))
	return entries, wrap(err)
}

// FS returns the tree as an fs.FS, for fs.WalkDir and fs.Glob. Its names
// are slash-separated and unrooted ("." is the root).
func (r *Root) FS() fs.FS { return r.root.FS() }

// MkdirAll creates the named directory and any missing parents.
func (r *Root) MkdirAll(name string, perm fs.FileMode) error {
	if n := cleanFS(name); n == "." {
		return nil
	}
	return wrap(r.root.MkdirAll(osName(name), perm))
}

// Rename moves oldname to newname, both inside the root; a symbolic link
// is moved as the link itself, never followed.
func (r *Root) Rename(oldname, newname string) error {
	return wrap(r.root.Rename(osName(oldname), osName(newname)))
}

// Remove removes the named file or empty directory.
func (r *Root) Remove(name string) error { return wrap(r.root.Remove(osName(name))) }

// RemoveAll removes the named file or tree; symbolic links in it are
// removed, not followed.
func (r *Root) RemoveAll(name string) error { return wrap(r.root.RemoveAll(osName(name))) }

// Append opens the named file for appending, creating it with perm.
func (r *Root) Append(name string, perm fs.FileMode) (*os.File, error) {
	f, err := r.root.OpenFile(osName(name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, perm)
	return f, wrap(err)
}

// Sub opens the named directory inside the root as a Root of its own.
func (r *Root) Sub(name string) (*Root, error) {
	sub, err := r.root.OpenRoot(osName(name))
	if err != nil {
		return nil, wrap(err)
	}
	return &Root{root: sub, dir: filepath.Join(r.dir, osName(cleanFS(name)))}, nil
}

// cleanFS turns a name into the form fs.FS wants.
func cleanFS(name string) string {
	n := path.Clean(filepath.ToSlash(name))
	if n == "" || n == "/" {
		return "."
	}
	return strings.TrimPrefix(n, "./")
}

// Mkdir creates the named directory, failing if anything already has
// that name: a folder made this way holds nothing planted before.
func (r *Root) Mkdir(name string, perm fs.FileMode) error {
	return wrap(r.root.Mkdir(osName(name), perm))
}

// Readlink returns the target of the named symbolic link as written, not
// resolved: comparing two trees compares their links' text, and a target
// that points outside the root is data here, never followed. A name whose
// parent folders lead outside the root is refused with [ErrEscapes].
func (r *Root) Readlink(name string) (string, error) {
	target, err := r.root.Readlink(osName(name))
	return target, wrap(err)
}
