package sentinel

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hubgates/hub/shared/fsroot"
)

func TestCacheEmpty(t *testing.T) {
	ws := t.TempDir()
	tr := Tree{Workspace: ws, Roots: []string{"a", "b"}}
	if empty, err := cacheEmpty(tr); err != nil || !empty {
		t.Errorf("absent roots: %v %v", empty, err)
	}
	if err := os.MkdirAll(filepath.Join(ws, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if empty, err := cacheEmpty(tr); err != nil || !empty {
		t.Errorf("an empty directory: %v %v", empty, err)
	}
	if err := os.WriteFile(filepath.Join(ws, "b"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if empty, _ := cacheEmpty(tr); empty {
		t.Error("a file root counted as empty")
	}
}

// openRoot opens dir as the workspace root a Quarantine works through.
func openRoot(t *testing.T, dir string) *fsroot.Root {
	t.Helper()
	r, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}
