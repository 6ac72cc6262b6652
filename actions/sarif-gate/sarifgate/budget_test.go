package sarifgate

import (
	"slices"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestBudget(t *testing.T) {
	b := NewBudget(finding.High)
	if b != (Budget{Unlimited, Unlimited, Unlimited, 0, 0}) {
		t.Fatalf("NewBudget(high) = %v", b)
	}
	b[finding.Medium] = 10
	tests := []struct {
		counts Counts
		over   []finding.Severity
	}{
		{Counts{100, 100, 10, 0, 0}, nil},
		{Counts{0, 0, 11, 0, 0}, []finding.Severity{finding.Medium}},
		{Counts{0, 0, 11, 1, 2}, []finding.Severity{finding.Critical, finding.High, finding.Medium}},
	}
	for _, tt := range tests {
		if got := b.Over(tt.counts); !slices.Equal(got, tt.over) {
			t.Errorf("Over(%v) = %v, want %v", tt.counts, got, tt.over)
		}
	}
	if b.Describe(finding.Low) != "unlimited" || b.Describe(finding.Medium) != "10" {
		t.Errorf("Describe: %q %q", b.Describe(finding.Low), b.Describe(finding.Medium))
	}
}

func TestCount(t *testing.T) {
	rep := Normalize(sources(t, toolFixtures(t)...), testOptions)
	MarkBaseline(rep, Normalize(sources(t, "testdata/tools/trivy.sarif"), testOptions))
	tally := Count(rep, true)
	if tally.Counted[finding.High] != 10 || tally.From[FromDefault] != 2 {
		t.Errorf("counted %v, from %v", tally.Counted, tally.From)
	}
	for i, label := range tally.Labels {
		c := tally.Cells[i]
		switch label {
		case "Trivy":
			if c[finding.High] != (Cell{Baseline: 3}) || c[finding.Medium] != (Cell{Baseline: 1}) {
				t.Errorf("Trivy cells %v", c)
			}
		case "Semgrep OSS":
			if c[finding.Medium] != (Cell{Waived: 1}) || c[finding.High] != (Cell{New: 1}) {
				t.Errorf("Semgrep cells %v", c)
			}
		}
	}
}
