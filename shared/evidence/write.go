package evidence

import (
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strconv"

	"github.com/hubgates/hub/shared/fsroot"
)

// Write stores r in dir, a folder inside root (created if missing), as
// "<gate>-<started unix nanoseconds>.json" and returns the file's name in
// root. The file appears whole or not at all, and neither dir nor the file
// can lead outside root through a symbolic link.
func Write(root *fsroot.Root, dir string, r Record) (string, error) {
	if err := root.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating evidence directory %q: %w", dir, err)
	}
	name := path.Join(filepath.ToSlash(dir), r.Gate+"-"+strconv.FormatInt(r.Started.UnixNano(), 10)+".json")
	if err := root.Stream(name, 0o644, true, func(w io.Writer) error { return Encode(w, r) }); err != nil {
		return "", err
	}
	return name, nil
}
