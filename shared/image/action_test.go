package image

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestRewriteActionImage")

const testRef = "ghcr.io/hubgates/hub/hellogate@sha256:7a40a66fcb7b94f8ae6ffe6deb98eb392701d919ebdb136b8992576327716423"

// TestRewriteActionImage compares the rewrite of every
// testdata/rewrite/<case>.yml with <case>.golden, byte for byte, and checks
// that exactly one line changed.
func TestRewriteActionImage(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "rewrite", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".bad.yml") {
			continue
		}
		n++
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := RewriteActionImage(src, testRef)
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(in, ".yml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
			oldLines, newLines := bytes.Split(src, []byte("\n")), bytes.Split(got, []byte("\n"))
			if len(oldLines) != len(newLines) {
				t.Fatalf("line count changed from %d to %d", len(oldLines), len(newLines))
			}
			changed := 0
			for i := range oldLines {
				if !bytes.Equal(oldLines[i], newLines[i]) {
					changed++
					if !bytes.Contains(newLines[i], []byte("docker://"+testRef)) {
						t.Errorf("line %d changed to %q", i+1, newLines[i])
					}
				}
			}
			if changed != 1 {
				t.Errorf("%d lines changed, want 1", changed)
			}
			// Rewriting the result again is a no-op; a "docker://" prefix on
			// the reference is accepted.
			again, err := RewriteActionImage(got, "docker://"+testRef)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, got) {
				t.Errorf("second rewrite changed the file:\n%s", again)
			}
		})
	}
	if n == 0 {
		t.Fatal("no test cases")
	}
}

func TestRewriteActionImageErrors(t *testing.T) {
	want := map[string]string{
		"noimage.bad.yml":   "action.yml: no runs.image",
		"node.bad.yml":      `action.yml: line 3: runs.using is "node20", not "docker"`,
		"composite.bad.yml": `action.yml: line 3: runs.using is "composite"`,
		"block.bad.yml":     "action.yml: line 4: runs.image is not a plain or quoted string on one line",
		"multiline.bad.yml": "action.yml: line 4: runs.image: the value is not a single-line scalar",
		"noruns.bad.yml":    "action.yml: no runs section",
		"alias.bad.yml":     "action.yml: line 5: runs.image is not a plain or quoted string",
		"invalid.bad.yml":   "action.yml: yaml:",
	}
	bad, err := filepath.Glob(filepath.Join("testdata", "rewrite", "*.bad.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != len(want) {
		t.Errorf("%d bad cases on disk, %d expected errors", len(bad), len(want))
	}
	for _, in := range bad {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			w, ok := want[filepath.Base(in)]
			if !ok {
				t.Fatal("no expected error for this case")
			}
			_, err = RewriteActionImage(src, testRef)
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Fatalf("error %v, want it to contain %q", err, w)
			}
		})
	}

	src := []byte("runs:\n  using: docker\n  image: Dockerfile\n")
	for _, ref := range []string{
		"",
		"ghcr.io/hubgates/hub/hellogate:v1",
		"ghcr.io/hubgates/hub/hellogate@sha256:abc",
		"ghcr.io/hubgates/hub/hellogate@sha256:" + strings.Repeat("0", 64) + " # x",
	} {
		if _, err := RewriteActionImage(src, ref); err == nil || !strings.Contains(err.Error(), "not a digest reference") {
			t.Errorf("ref %q: error %v", ref, err)
		}
	}
}

func TestRewriteActionFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "action.yml")
	src, err := os.ReadFile(filepath.Join("testdata", "rewrite", "basic.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, src, 0o640); err != nil {
		t.Fatal(err)
	}
	changed, err := RewriteActionFile(path, testRef)
	if err != nil || !changed {
		t.Fatalf("changed %v, err %v", changed, err)
	}
	got, _ := os.ReadFile(path)
	want, _ := os.ReadFile(filepath.Join("testdata", "rewrite", "basic.golden"))
	if !bytes.Equal(got, want) {
		t.Errorf("file content differs from basic.golden:\n%s", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", fi.Mode().Perm())
	}
	if changed, err := RewriteActionFile(path, testRef); err != nil || changed {
		t.Errorf("second rewrite: changed %v, err %v", changed, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}

	bad := filepath.Join(dir, "node", "action.yml")
	os.MkdirAll(filepath.Dir(bad), 0o755)
	os.WriteFile(bad, []byte("runs:\n  using: node20\n  main: x.js\n"), 0o644)
	if _, err := RewriteActionFile(bad, testRef); err == nil || !strings.HasPrefix(err.Error(), bad+": ") {
		t.Errorf("error %v, want it to start with the path", err)
	}
	if _, err := RewriteActionFile(filepath.Join(dir, "missing.yml"), testRef); err == nil || !strings.Contains(err.Error(), "missing.yml") {
		t.Errorf("missing file: error %v", err)
	}
}

func TestActionInputDefaults(t *testing.T) {
	got, err := ActionInputDefaults([]byte("name: x\ninputs:\n  mode:\n    default: enforce\n  paths:\n    required: false\n  empty:\n    default: ''\nruns:\n  using: docker\n  image: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["mode"] != "enforce" || got["empty"] != "" {
		t.Errorf("defaults = %q", got)
	}
	if _, err := ActionInputDefaults([]byte("inputs: [")); err == nil {
		t.Error("a broken action.yml parsed")
	}
}
