package signer_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hubgates/hub/actions/sign/signer"
)

// tree writes files (path -> content) under a fresh workspace.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	ws, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for p, c := range files {
		full := filepath.Join(ws, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ws
}

func rels(as []signer.Artifact) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Rel)
	}
	return out
}

func TestResolve(t *testing.T) {
	ws := tree(t, map[string]string{
		"dist/a.tar.gz":                "a",
		"dist/a.tar.gz.sigstore.json":  "{}",
		"dist/sub/b.tar.gz":            "b",
		"dist/checksums.txt":           "c",
		"README.md":                    "r",
		"dist/sub/b.tar.gz.other.json": "o",
	})
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(ws, "dist", "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.tar.gz", filepath.Join(ws, "dist", "link.tar.gz")); err != nil {
		t.Fatal(err)
	}
	ok := []struct {
		patterns []string
		want     []string
	}{
		{[]string{"dist/**/*.tar.gz"}, []string{"dist/a.tar.gz", "dist/link.tar.gz", "dist/sub/b.tar.gz"}},
		{[]string{"dist/checksums.txt", "./dist/checksums.txt", "dist/*.txt"}, []string{"dist/checksums.txt"}},
		// A literal bundle path is signed when named; only globs skip them.
		{[]string{"dist/a.tar.gz.sigstore.json"}, []string{"dist/a.tar.gz.sigstore.json"}},
		{[]string{"dist/a*"}, []string{"dist/a.tar.gz"}},
	}
	for _, c := range ok {
		got, err := signer.Resolve(ws, c.patterns)
		if err != nil || !slices.Equal(rels(got), c.want) {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.patterns, rels(got), err, c.want)
		}
	}
	link, err := signer.Resolve(ws, []string{"dist/link.tar.gz"})
	if err != nil || link[0].Abs != filepath.Join(ws, "dist", "a.tar.gz") {
		t.Errorf("link resolves to %+v, %v", link, err)
	}
	bad := map[string]string{
		"dist/missing": "dist/missing",
		"dist/*.zip":   "dist/*.zip",
		"../x":         "../x",
		"dist/../../x": "dist/../../x",
		"/etc/passwd":  "/etc/passwd",
		"dist/escape":  "dist/escape",
		"dist":         "dist",
		"dist/[":       "dist/[",
		"dist/*.json":  "dist/*.json", // only bundles match
	}
	for p, want := range bad {
		_, err := signer.Resolve(ws, []string{"README.md", p})
		var pe *signer.PatternError
		if !errors.As(err, &pe) || !errors.Is(err, signer.ErrPattern) || pe.Pattern != want {
			t.Errorf("Resolve(%q): got %v, want a PatternError for %q", p, err, want)
		}
	}
	if _, err := signer.Resolve(ws, nil); !errors.Is(err, signer.ErrPattern) {
		t.Errorf("no patterns: %v", err)
	}
}
