package sarifgate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

// The goldens below were written by the gate before results were kept
// compressed between reading and writing: they hold its output SARIF byte
// for byte, so a change in how results are stored that changes what is
// written fails here.

// TestWriteLeanSameOutput covers the path that re-encodes results whose
// rule references move (a gzip target small enough to drop results and
// unused rules), with a baseline and a waiver.
func TestWriteLeanSameOutput(t *testing.T) {
	rep := Normalize(sources(t, toolFixtures(t)...), testOptions)
	for _, it := range rep.Items() {
		if it.RuleID == "B602" {
			it.Suppression = &finding.Suppression{Kind: "external", Justification: "runs a fixed command", Expires: "2030-01-31", Source: "hub.yml:12"}
			it.Waived = true
		}
	}
	MarkBaseline(rep, Normalize(sources(t, "testdata/tools/semgrep.sarif"), testOptions))
	out, err := Write(rep, WriteOptions{Baseline: true, GzipTarget: 4_000})
	if err != nil {
		t.Fatal(err)
	}
	check(t, out.Data)
	if out.Trimmed == 0 {
		t.Fatal("nothing trimmed: the lean path was not taken")
	}
	golden(t, "tools-lean.sarif.golden", out.Data)
}

// TestGateSameOutput runs the whole gate (waivers from the configuration
// file, a baseline, every tool fixture twice so duplicates are removed)
// and compares the SARIF file it writes with the golden.
func TestGateSameOutput(t *testing.T) {
	files := map[string]string{
		".github/hub.yml": "version: 1\nsarif-gate:\n  rules:\n    B608:\n      severity: info\n  waivers:\n" +
			"    - rule: B602\n      reason: runs a fixed command\n      expires: 2026-04-30\n" +
			"    - rule: G1*\n      path: \"**\"\n      reason: reviewed\n      expires: 2026-04-30\n",
	}
	for _, p := range toolFixtures(t) {
		files["reports/"+filepath.Base(p)] = fixture(t, filepath.Base(p))
		files["again/"+filepath.Base(p)] = fixture(t, filepath.Base(p))
	}
	files["base/semgrep.sarif"] = fixture(t, "semgrep.sarif")
	ws := tree(t, files)
	var stdout, stderr bytes.Buffer
	code := gate.Execute(context.Background(), Gate, gate.Process{
		Args: []string{"--sarif=reports,again", "--baseline=base", "--mode=warn"},
		Getenv: func(k string) string {
			if k == "GITHUB_REPOSITORY" {
				return "acme/proj"
			}
			return ""
		},
		Stdout: &stdout, Stderr: &stderr, Cwd: ws, Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) },
	})
	if code != gate.Passed {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "duplicates=") {
		t.Fatalf("no outputs printed:\n%s", stdout.String())
	}
	b, err := os.ReadFile(filepath.Join(ws, "sarif-gate.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, b)
	golden(t, "gate.sarif.golden", b)
}
