package audit

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzScanWorkflow writes the input as a workflow, as an action.yml and as a
// Dockerfile in a fresh root and scans it. Whatever the content, Scan must
// neither panic nor return a Go error: bad content is a finding.
func FuzzScanWorkflow(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*/.github/workflows/*.y*ml")
	more, _ := filepath.Glob("testdata/*/**/action.y*ml")
	seeds = append(seeds, more...)
	more, _ = filepath.Glob("testdata/*/Dockerfile")
	seeds = append(seeds, more...)
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(stepWorkflow("actions/checkout@v4")))
	f.Add([]byte("on: push\njobs:\n  a: &a\n    uses: *a\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("ARG A=${A:-${B:+x}}\nFROM ${A} AS b\nCOPY --from=$A . .\nRUN <<-'E'\n\tFROM x\n\tE\n"))
	f.Add([]byte("\xff\xfe\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		files := map[string]string{
			".github/workflows/fuzz.yml": "",
			"action.yml":                 "",
			"Dockerfile":                 "",
		}
		for p := range files {
			abs := filepath.Join(root, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(abs, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		r, err := Scan(context.Background(), root, Options{AllowUnpinned: []string{"actions"}})
		if err != nil {
			t.Fatalf("Scan returned an error for file content: %v", err)
		}
		if len(r.Files) < 3 {
			t.Fatalf("Files = %v", r.Files)
		}
		for _, fd := range r.Findings {
			if fd.Path == "" || fd.Message == "" || fd.Line < 0 || fd.Col < 0 || len(fd.Fingerprint) != 32 {
				t.Fatalf("malformed finding %#v", fd)
			}
		}
	})
}
