package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

const (
	testSHA    = "11bd71901bbe5b1630ceea73d27597364c9af683"
	testDigest = "9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
)

// writeTree writes files (slash paths relative to a new temporary root) and
// returns the root.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		abs := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(abs, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// scanTree writes files and scans them with opts, failing on a Go error.
func scanTree(t testing.TB, files map[string]string, opts Options) *Report {
	t.Helper()
	r, err := Scan(context.Background(), writeTree(t, files), opts)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return r
}

// only returns the findings of one rule.
func only(fs []finding.Finding, rule string) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func dump(fs []finding.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("\n\t" + f.Severity.String() + " " + f.String())
	}
	return b.String()
}

// stepWorkflow is a workflow with one job whose single step uses uses.
func stepWorkflow(uses string) string {
	return "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: " + uses + "\n"
}

// want describes an expected finding; an empty want means none.
type want struct {
	sev      finding.Severity
	line     int
	col      int
	contains string
}

func checkOne(t *testing.T, got []finding.Finding, w *want) {
	t.Helper()
	if w == nil {
		if len(got) != 0 {
			t.Fatalf("want no finding, got:%s", dump(got))
		}
		return
	}
	if len(got) != 1 {
		t.Fatalf("want one finding, got %d:%s", len(got), dump(got))
	}
	f := got[0]
	if f.Severity != w.sev {
		t.Errorf("severity = %v, want %v (%s)", f.Severity, w.sev, f)
	}
	if w.line != 0 && (f.Line != w.line || f.Col != w.col) {
		t.Errorf("position = %d:%d, want %d:%d (%s)", f.Line, f.Col, w.line, w.col, f)
	}
	if !strings.Contains(f.Message, w.contains) {
		t.Errorf("message %q does not contain %q", f.Message, w.contains)
	}
	if f.Message == "" || f.Message[0] < 'a' || f.Message[0] > 'z' {
		t.Errorf("message %q does not start with a lower-case letter", f.Message)
	}
	if len(f.Fingerprint) != 32 {
		t.Errorf("fingerprint %q is not set", f.Fingerprint)
	}
}
