package release

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReadWrite(t *testing.T) {
	root := t.TempDir()
	if _, err := Read(root); !errors.Is(err, ErrNoReleaseFile) {
		t.Fatalf("Read of an empty root: %v, want ErrNoReleaseFile", err)
	}
	want := Info{Version: "v0.1.0", Created: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)}
	if err := Write(root, want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(root)
	if err != nil || got != want {
		t.Fatalf("Read = %+v, %v; want %+v", got, err, want)
	}
	for content, msg := range map[string]string{
		`{"version": "v 1", "created": "2026-01-01T00:00:00Z"}`:            "version",
		`{"version": "v1", "created": "2026-01-01T00:00:00.5Z"}`:           "whole seconds",
		`{"version": "v1", "created": "1960-01-01T00:00:00Z"}`:             "created",
		`{"version": "v1", "created": "2026-01-01T00:00:00Z", "rev": "x"}`: "unknown field",
		`not json`: "parsing",
	} {
		if err := os.WriteFile(filepath.Join(root, FileName), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(root); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Read(%s) = %v, want an error containing %q", content, err, msg)
		}
	}
	if err := Write(root, Info{Version: ""}); err == nil {
		t.Error("Write accepted an empty version")
	}
}

func TestCheckSameDigestOtherOwner(t *testing.T) {
	d := "@sha256:" + strings.Repeat("a", 64)
	pins := []Pin{{File: "actions/g/action.yml", Line: 3, Gate: "g", Ref: "ghcr.io/someone/hub/g" + d}}
	probs := Check("actions", pins, map[string]string{"g": "ghcr.io/hubgates/hub/g" + d})
	if len(probs) != 1 || !strings.Contains(probs[0].String(), "actions/g/action.yml:3: stale pin") {
		t.Errorf("a pin of another owner passed: %v", probs)
	}
}
