//go:build unix

package sarifgate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/hubgates/hub/shared/fsroot"
)

// TestReadFileInStaysInRoot swaps links in after the files were found, as a
// hostile step could between Collect and the read: through the root, a
// link out of the workspace is refused and a named pipe is refused without
// blocking; a link inside is followed.
func TestReadFileInStaysInRoot(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.sarif")
	if err := os.WriteFile(secret, []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"TOPSECRET"}}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	ws := tree(t, map[string]string{"ok.sarif": `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[]}]}`})
	if err := os.Symlink(secret, filepath.Join(ws, "leak.sarif")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("ok.sarif", filepath.Join(ws, "inside.sarif")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(ws, "pipe.sarif"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := fsroot.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	ctx := context.Background()
	if log, err := ReadFileIn(ctx, root, "leak.sarif", 0); !errors.Is(err, ErrOutsideWorkspace) {
		t.Errorf("leak.sarif: %v, %v; want ErrOutsideWorkspace", log, err)
	}
	if _, err := ReadFileIn(ctx, root, "pipe.sarif", 0); !errors.Is(err, ErrMalformed) {
		t.Errorf("pipe.sarif: %v; want ErrMalformed (not a regular file)", err)
	}
	if log, err := ReadFileIn(ctx, root, "inside.sarif", 0); err != nil || log.Runs[0].Tool() != "x" {
		t.Errorf("inside.sarif: %v", err)
	}
	// Load reports the escape as a problem of the file, naming it.
	_, _, err = LoadIn(ctx, root, []File{{Name: "leak.sarif", Path: filepath.Join(ws, "leak.sarif")}}, 0, false)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != "leak.sarif" || !errors.Is(err, ErrOutsideWorkspace) {
		t.Errorf("LoadIn: %v", err)
	}
}
