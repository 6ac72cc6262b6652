package actions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gosecSARIF is a report in the shape gosec writes, with n results at
// high severity.
func gosecSARIF(n int, message string) string {
	var results []string
	for i := range n {
		results = append(results, `{"ruleId":"G101","level":"error","message":{"text":`+quoteJSON(message)+`},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"cmd/main.go"},"region":{"startLine":`+itoa(10+i)+`,"startColumn":2}}}]}`)
	}
	return `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"gosec","version":"2.21.4","rules":[{"id":"G101","name":"Look for hard coded credentials","shortDescription":{"text":"Look for hard coded credentials"},"properties":{"tags":["security","CWE-798"],"security-severity":"7.5"}}]}},"results":[` + strings.Join(results, ",") + `]}]}`
}

// sarif-gate over scanners' reports in the workspace, every input at its
// default: no results passes; a high-severity result denies under the
// default budget; the merged SARIF is written where code scanning's upload
// finds it; a message made of workflow commands stays text.
func TestSARIFGateContainer(t *testing.T) {
	requireDocker(t)
	for _, tc := range []struct {
		name    string
		n       int
		message string
		exit    int
		outputs map[string]string
	}{
		{"clean", 0, "", 0, map[string]string{"verdict": "passed", "results": "0", "high": "0", "sarif-file": "sarif-gate.sarif"}},
		{"high", 2, "Potential hardcoded credentials", 1, map[string]string{"verdict": "denied", "results": "2", "high": "2"}},
		{"hostile", 1, "x\n::error::PWNED ##[add-mask]y <img src=x>", 1, map[string]string{"verdict": "denied", "results": "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			writeTree(t, ws, map[string]string{"reports/gosec.sarif": gosecSARIF(tc.n, tc.message)})
			r := runGateImage(t, "sarif-gate", ws, map[string]string{"sarif": "reports"}, nil, "")
			r.wantExit(t, tc.exit)
			r.wantOutputs(t, tc.outputs)
			r.wantSummaryHead(t, map[int]string{0: "## ✅ sarif-gate: passed", 1: "## ❌ sarif-gate: denied"}[tc.exit])
			if _, err := os.Stat(filepath.Join(ws, "sarif-gate.sarif")); err != nil {
				t.Error(err)
			}
			if strings.Contains(string(r.Summary), "<img") {
				t.Errorf("the summary carries HTML from a SARIF message:\n%s", r.Summary)
			}
		})
	}
}
