package sarifgate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tree writes files (path -> content) under a new workspace.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

func names(fs []File) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return strings.Join(out, ",")
}

func TestCollect(t *testing.T) {
	ws := tree(t, map[string]string{
		"a.sarif": "", "reports/b.sarif": "", "reports/deep/c.sarif": "", "reports/notes.txt": "",
		"out/sarif-gate.sarif": "",
	})
	tests := []struct {
		patterns []string
		want     string
	}{
		{[]string{"a.sarif"}, "a.sarif"},
		{[]string{"reports"}, "reports/b.sarif,reports/deep/c.sarif"},
		{[]string{"reports/**/*.sarif", "a.sarif", "reports/b.sarif"}, "reports/b.sarif,reports/deep/c.sarif,a.sarif"},
		{[]string{filepath.Join(ws, "a.sarif")}, "a.sarif"},
		{[]string{"**/*.sarif"}, "a.sarif,reports/b.sarif,reports/deep/c.sarif"}, // the output is skipped
	}
	for _, tt := range tests {
		got, err := Collect(context.Background(), ws, tt.patterns, filepath.Join(ws, "out", "sarif-gate.sarif"))
		if err != nil {
			t.Errorf("%v: %v", tt.patterns, err)
			continue
		}
		if names(got) != tt.want {
			t.Errorf("%v: %s, want %s", tt.patterns, names(got), tt.want)
		}
	}
}

func TestCollectErrors(t *testing.T) {
	ws := tree(t, map[string]string{"a.sarif": "", "empty/readme.txt": ""})
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "x.sarif"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "x.sarif"), filepath.Join(ws, "link.sarif")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pattern string
		want    error
		text    string
	}{
		{"nope.sarif", nil, "nope.sarif does not exist"},
		{"reports/*.sarif", ErrNoMatch, "reports/*.sarif matches no file"},
		{"empty", ErrNoMatch, "empty matches no file"},
		{"../x.sarif", ErrOutsideWorkspace, "resolves outside the workspace"},
		{"link.sarif", ErrOutsideWorkspace, "link.sarif resolves outside"},
		{"*.sarif", ErrOutsideWorkspace, "link.sarif resolves outside"},
		{"[.sarif", nil, "is not a valid glob"},
	}
	for _, tt := range tests {
		_, err := Collect(context.Background(), ws, []string{tt.pattern}, "")
		var fe *FileError
		if !errors.As(err, &fe) || (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%s: error %v, want a *FileError saying %q", tt.pattern, err, tt.text)
		}
	}
	// Every bad pattern is reported, not just the first.
	_, err := Collect(context.Background(), ws, []string{"x.sarif", "a.sarif", "y/*.sarif"}, "")
	if err == nil || !strings.Contains(err.Error(), "x.sarif") || !strings.Contains(err.Error(), "y/*.sarif") {
		t.Errorf("error %v does not name both bad patterns", err)
	}
}

func TestLoad(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "tools", "bandit.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	ws := tree(t, map[string]string{"good.sarif": string(good), "bad.sarif": "{", "v2.sarif": `{"version":"2.2","runs":[]}`})
	files, err := Collect(context.Background(), ws, []string{"good.sarif", "bad.sarif", "v2.sarif"}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Load(context.Background(), files, 0, false)
	if !errors.Is(err, ErrNotJSON) || !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), "bad.sarif is not valid JSON") {
		t.Fatalf("error %v, want both bad files named", err)
	}
	srcs, skipped, err := Load(context.Background(), files, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 || srcs[0].Name != "good.sarif" || len(skipped) != 2 || skipped[0].File.Name != "bad.sarif" {
		t.Fatalf("sources %v, skipped %v", srcs, skipped)
	}
	// An unreadable file is not "invalid": skip-invalid does not hide it.
	if err := os.Remove(filepath.Join(ws, "good.sarif")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(context.Background(), files, 0, true); err == nil || IsInvalid(err) {
		t.Fatalf("error %v, want an I/O error", err)
	}
}
