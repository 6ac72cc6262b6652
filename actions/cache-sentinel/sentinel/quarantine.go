package sentinel

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/hubgates/hub/shared/fsroot"
)

// ErrQuarantineLink is wrapped when the quarantine folder, or a folder
// above it, is a symbolic link: quarantined files would go wherever it
// points (the repository's .git/hooks, say), so nothing is moved.
var ErrQuarantineLink = errors.New("goes through a symbolic link")

// Quarantine takes untrusted entries out of the cache: it moves them into
// a folder of this run's own under Dir, keeping their workspace-relative
// path, or deletes them. Every move and removal goes through the
// workspace root, so none can leave the workspace, and the run's folder is
// created new, so nothing planted in the quarantine folder beforehand (a
// link to .git/hooks) can redirect a move. Dir lies outside every cache
// path (see [CheckApart]), so nothing moved there is read as part of the
// cache, and nothing outside the cache paths is ever removed: the paths it
// is given come from walking the cache paths.
type Quarantine struct {
	// Root is the workspace.
	Root *fsroot.Root
	// Dir is the quarantine folder, workspace-relative with forward
	// slashes; unused with Delete.
	Dir string
	// Delete removes entries instead of moving them.
	Delete bool
	// Now names this run's folder: <Dir>/<UTC time>-<random>.
	Now time.Time

	run string // this run's folder, once created
}

// Removal records one entry taken out of the cache.
type Removal struct {
	// Path is the entry's workspace-relative path.
	Path string `json:"path"`
	// To is where it was moved, workspace-relative; empty when it was
	// deleted.
	To string `json:"to,omitempty"`
}

// Remove takes the workspace-relative entry rel out of the cache. When
// the quarantine folder is on another file system, where a move would be a
// copy, the entry is deleted instead.
func (q *Quarantine) Remove(rel string) (Removal, error) {
	if q.Delete {
		if err := q.Root.RemoveAll(rel); err != nil {
			return Removal{}, fmt.Errorf("deleting %q: %w", rel, err)
		}
		return Removal{Path: rel}, nil
	}
	run, err := q.runDir()
	if err != nil {
		return Removal{}, err
	}
	dest := run + "/" + rel
	if err := q.Root.MkdirAll(path.Dir(dest), 0o700); err != nil {
		return Removal{}, fmt.Errorf("creating the quarantine folder for %q: %w", rel, err)
	}
	err = q.Root.Rename(rel, dest)
	if errors.Is(err, syscall.EXDEV) {
		if err := q.Root.RemoveAll(rel); err != nil {
			return Removal{}, fmt.Errorf("deleting %q (the quarantine folder is on another file system): %w", rel, err)
		}
		return Removal{Path: rel}, nil
	}
	if err != nil {
		return Removal{}, fmt.Errorf("quarantining %q: %w", rel, err)
	}
	return Removal{Path: rel, To: dest}, nil
}

// runDir creates, on first use, this run's folder under Dir, after
// checking that no folder on the way is a symbolic link.
func (q *Quarantine) runDir() (string, error) {
	if q.run != "" {
		return q.run, nil
	}
	if err := checkNoLinks(q.Root, q.Dir); err != nil {
		return "", err
	}
	if err := q.Root.MkdirAll(q.Dir, 0o700); err != nil {
		return "", fmt.Errorf("creating the quarantine folder %q: %w", q.Dir, err)
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	run := q.Dir + "/" + q.Now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
	if err := q.Root.Mkdir(run, 0o700); err != nil {
		return "", fmt.Errorf("creating the quarantine folder %q: %w", run, err)
	}
	q.run = run
	return run, nil
}

// checkNoLinks fails when any existing component of the workspace-relative
// dir is a symbolic link.
func checkNoLinks(root *fsroot.Root, dir string) error {
	parts := strings.Split(dir, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		fi, err := root.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case err != nil:
			return fmt.Errorf("quarantine folder %q: %w", dir, err)
		case fi.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("quarantine folder %q: %s %w", dir, p, ErrQuarantineLink)
		}
	}
	return nil
}

// Empty deletes every cache path, for a cache nothing in which can be
// trusted. A cache path that is a symbolic link loses the link, not what
// it points to.
func (q *Quarantine) Empty(roots []string) ([]Removal, error) {
	var out []Removal
	for _, r := range roots {
		if _, err := q.Root.Lstat(r); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := q.Root.RemoveAll(r); err != nil {
			return out, fmt.Errorf("emptying cache path %q: %w", r, err)
		}
		out = append(out, Removal{Path: r})
	}
	return out, nil
}
