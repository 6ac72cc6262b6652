package signer_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/fsroot"
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

// openRoot opens ws as the workspace root, closed with the test.
func openRoot(t *testing.T, ws string) *fsroot.Root {
	t.Helper()
	r, err := fsroot.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
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
	// A linked folder is not descended into by a glob, inside the
	// workspace or out of it; named literally, the outside one is refused.
	if err := os.Symlink("sub", filepath.Join(ws, "dist", "linkdir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(ws, "outdir")); err != nil {
		t.Fatal(err)
	}
	root := openRoot(t, ws)
	ok := []struct {
		patterns []string
		want     []string
	}{
		{[]string{"dist/**/*.tar.gz"}, []string{"dist/a.tar.gz", "dist/link.tar.gz", "dist/sub/b.tar.gz"}},
		{[]string{"dist/checksums.txt", "./dist/checksums.txt", "dist/*.txt"}, []string{"dist/checksums.txt"}},
		// A literal bundle path is signed when named; only globs skip them.
		{[]string{"dist/a.tar.gz.sigstore.json"}, []string{"dist/a.tar.gz.sigstore.json"}},
		{[]string{"dist/a*"}, []string{"dist/a.tar.gz"}},
		{[]string{"**/*.tar.gz"}, []string{"dist/a.tar.gz", "dist/link.tar.gz", "dist/sub/b.tar.gz"}},
	}
	for _, c := range ok {
		got, err := signer.Resolve(root, c.patterns)
		if err != nil || !slices.Equal(rels(got), c.want) {
			t.Errorf("Resolve(%q) = %q, %v; want %q", c.patterns, rels(got), err, c.want)
		}
	}
	link, err := signer.Resolve(root, []string{"dist/link.tar.gz"})
	if err != nil || len(link) != 1 || link[0].Rel != "dist/link.tar.gz" {
		t.Errorf("a link inside the workspace: %+v, %v", link, err)
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
		"dist/*":       "dist/*",      // matches dist/escape
		"outdir/*":     "outdir/*",
		"outdir/x":     "outdir/x",
	}
	for p, want := range bad {
		_, err := signer.Resolve(root, []string{"README.md", p})
		var pe *signer.PatternError
		if !errors.As(err, &pe) || !errors.Is(err, signer.ErrPattern) || pe.Pattern != want {
			t.Errorf("Resolve(%q): got %v, want a PatternError for %q", p, err, want)
		}
	}
	if _, err := signer.Resolve(root, nil); !errors.Is(err, signer.ErrPattern) {
		t.Errorf("no patterns: %v", err)
	}
}

// A bundle path that is a link (out of the workspace or into it) or not
// a regular file is refused before anything is signed; a bundle already
// there, a regular file, is replaced as before.
func TestCheckBundles(t *testing.T) {
	ws := tree(t, map[string]string{
		"a.tar.gz": "a", "b.tar.gz": "b", "c.tar.gz": "c", "d.tar.gz": "d",
		"d.tar.gz.sigstore.json": "{}", ".git/hooks/post-checkout": "#!/bin/sh",
	})
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("s"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(ws, "a.tar.gz.sigstore.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".git/hooks/post-checkout", filepath.Join(ws, "b.tar.gz.sigstore.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(ws, "c.tar.gz.sigstore.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	root := openRoot(t, ws)
	for name, want := range map[string]string{
		"a.tar.gz": "is a symbolic link", "b.tar.gz": "is a symbolic link", "c.tar.gz": "is not a regular file", "d.tar.gz": "",
	} {
		err := signer.CheckBundles(root, []signer.Artifact{{Rel: name}})
		var pe *signer.PatternError
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case want != "" && (!errors.As(err, &pe) || !errors.Is(err, signer.ErrPattern) || pe.Pattern != name || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: got %v, want a PatternError saying %q", name, err, want)
		}
	}
}
