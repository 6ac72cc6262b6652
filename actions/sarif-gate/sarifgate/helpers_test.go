package sarifgate

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testOptions place the fixtures' runner paths (/home/runner/work/proj/proj)
// in the repository.
var testOptions = Options{Workspace: "/src/proj", Repository: "acme/proj", DefaultSeverity: finding.High}

// sources reads fixture files as sources named by their base name.
func sources(t *testing.T, paths ...string) []Source {
	t.Helper()
	var out []Source
	for _, p := range paths {
		log, err := ReadFile(context.Background(), p, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Source{Name: filepath.Base(p), Log: log})
	}
	return out
}

// toolFixtures lists every fixture in testdata/tools.
func toolFixtures(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("testdata", "tools", "*.sarif"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	return m
}

// golden compares got with testdata/<name>, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
