package sentinel

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestReadBounded(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "m")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if s, err := readBounded(p, 10); err != nil || s != "0123456789" {
		t.Errorf("at the limit: %q, %v", s, err)
	}
	if _, err := readBounded(p, 9); !errors.Is(err, errTooLarge) {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := readBounded(filepath.Join(dir, "absent"), 9); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("absent: %v", err)
	}
}

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
