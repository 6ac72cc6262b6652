package evidence

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/hubgates/hub/shared/atomicfile"
)

// Write stores r in dir (created if missing) as
// "<gate>-<started unix nanoseconds>.json" and returns the file's path. The
// file appears whole or not at all.
func Write(dir string, r Record) (string, error) {
	b, err := Marshal(r)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating evidence directory %q: %w", dir, err)
	}
	name := filepath.Join(dir, r.Gate+"-"+strconv.FormatInt(r.Started.UnixNano(), 10)+".json")
	if err := atomicfile.WriteFile(name, b, 0o644); err != nil {
		return "", err
	}
	return name, nil
}
