package audit

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenOptions holds the options of golden cases that need any; the
// others run with goldenDefault.
var goldenOptions = map[string]Options{
	"allow": {AllowUnpinned: []string{"actions", "octo-org/trusted", "library/alpine"}, Persona: PersonaPedantic},
}

// goldenDefault is the pedantic persona: the golden cases are the
// regression suite of every rule, including the findings the regular
// persona leaves out.
var goldenDefault = Options{Persona: PersonaPedantic}

// TestGolden scans each testdata/<case>/ tree (a small repository) with the
// default file set and compares the findings, one
// "path:line:col: message [rule]" per line, with testdata/<case>.golden.
// Run "go test -run TestGolden -update" to regenerate.
func TestGolden(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), "fix-") {
			continue // fix-* cases are TestFixGolden's
		}
		n++
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			opts, ok := goldenOptions[name]
			if !ok {
				opts = goldenDefault
			}
			r, err := Scan(context.Background(), filepath.Join("testdata", name), opts)
			if err != nil {
				t.Fatalf("Scan: %v", err)
			}
			var b strings.Builder
			for _, f := range r.Findings {
				b.WriteString(f.String())
				b.WriteByte('\n')
			}
			got := b.String()
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("findings differ from %s (run with -update to accept):\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
	if n == 0 {
		t.Fatal("no golden cases in testdata")
	}
}
