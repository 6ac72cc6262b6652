package sarifgate

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestSummaryMarkdown(t *testing.T) {
	rep := Normalize(sources(t, toolFixtures(t)...), testOptions)
	MarkBaseline(rep, Normalize(sources(t, "testdata/tools/trivy.sarif"), testOptions))
	for _, it := range rep.Items() {
		if it.RuleID == "B602" {
			it.Suppression, it.Waived = &finding.Suppression{Kind: "external", Justification: "accepted", Expires: "2030-01-01"}, true
		}
	}
	extra := json.RawMessage(`{"tool":{"driver":{"name":"hub/sarif-gate"}},"automationDetails":{"id":"sarif-gate/hub-sarif-gate/"},"results":[]}`)
	out, err := Write(rep, WriteOptions{Baseline: true, Extra: []json.RawMessage{extra}, GzipTarget: 4000})
	if err != nil {
		t.Fatal(err)
	}
	b := NewBudget(finding.High)
	b[finding.Medium] = 3
	s := &Summary{
		Tally: Count(rep, true), Budget: b, Baseline: true, Report: rep, Output: out, OutputName: "sarif-gate.sarif",
		Files: []string{"a.sarif", "b|c.sarif"}, BaselineFiles: []string{"base/trivy.sarif"}, DefaultSeverity: finding.High,
		Skipped: []Skipped{{File: File{Name: "broken.sarif"}, Err: errors.New("is not valid JSON: <x>")}},
	}
	golden(t, "summary.golden.md", []byte(s.Markdown()))
}
