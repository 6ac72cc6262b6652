package sentinel

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Quarantine takes untrusted entries out of the cache: it moves them into
// Dir, keeping their workspace-relative path, or deletes them. Dir lies
// outside every cache path (see [CheckApart]), so nothing moved there is
// read as part of the cache, and nothing outside the cache paths is ever
// removed: the paths it is given come from walking the cache paths.
type Quarantine struct {
	// Workspace is the absolute workspace path.
	Workspace string
	// Dir is the absolute quarantine folder; unused with Delete.
	Dir string
	// Delete removes entries instead of moving them.
	Delete bool
}

// Removal records one entry taken out of the cache.
type Removal struct {
	// Path is the entry's workspace-relative path.
	Path string `json:"path"`
	// To is where it was moved, relative to the workspace when inside it;
	// empty when it was deleted.
	To string `json:"to,omitempty"`
}

// Remove takes the workspace-relative entry rel out of the cache. A name
// already taken in the quarantine folder (an earlier run's) gets a ".1",
// ".2"... suffix. When the quarantine folder is on another file system,
// where a move would be a copy, the entry is deleted instead.
func (q *Quarantine) Remove(rel string) (Removal, error) {
	src := filepath.Join(q.Workspace, filepath.FromSlash(rel))
	if q.Delete {
		if err := os.RemoveAll(src); err != nil {
			return Removal{}, fmt.Errorf("deleting %q: %w", rel, err)
		}
		return Removal{Path: rel}, nil
	}
	dest := filepath.Join(q.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return Removal{}, fmt.Errorf("creating the quarantine folder for %q: %w", rel, err)
	}
	for n := 1; ; n++ {
		if _, err := os.Lstat(dest); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dest = filepath.Join(q.Dir, filepath.FromSlash(rel)) + "." + strconv.Itoa(n)
	}
	err := os.Rename(src, dest)
	if errors.Is(err, syscall.EXDEV) {
		if err := os.RemoveAll(src); err != nil {
			return Removal{}, fmt.Errorf("deleting %q (the quarantine folder is on another file system): %w", rel, err)
		}
		return Removal{Path: rel}, nil
	}
	if err != nil {
		return Removal{}, fmt.Errorf("quarantining %q: %w", rel, err)
	}
	return Removal{Path: rel, To: q.rel(dest)}, nil
}

// Empty deletes every cache path, for a cache nothing in which can be
// trusted. A cache path that is a symbolic link loses the link, not what
// it points to.
func (q *Quarantine) Empty(roots []string) ([]Removal, error) {
	var out []Removal
	for _, r := range roots {
		p := filepath.Join(q.Workspace, filepath.FromSlash(r))
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := os.RemoveAll(p); err != nil {
			return out, fmt.Errorf("emptying cache path %q: %w", r, err)
		}
		out = append(out, Removal{Path: r})
	}
	return out, nil
}

func (q *Quarantine) rel(abs string) string {
	if r, err := filepath.Rel(q.Workspace, abs); err == nil && filepath.IsLocal(r) {
		return filepath.ToSlash(r)
	}
	return abs
}
