//go:build !linux

package sentinel

import (
	"io/fs"
	"os"
)

// listDir returns the directory parent's mode and entries through the
// portable os API (Linux reads getdents64 records itself).
func (w *walker) listDir(parent node) (fs.FileMode, []node, error) {
	fi, err := os.Lstat(parent.abs)
	if err != nil {
		return 0, nil, err
	}
	if !fi.IsDir() {
		return 0, nil, &fs.PathError{Op: "open", Path: parent.abs, Err: errNotDir}
	}
	entries, err := os.ReadDir(parent.abs)
	if err != nil {
		return 0, nil, err
	}
	children := make([]node, len(entries))
	for i, e := range entries {
		children[i] = child(parent, e.Name(), e.Type())
	}
	return fi.Mode(), children, nil
}
