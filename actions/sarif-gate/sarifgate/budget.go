package sarifgate

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// Unlimited is a budget entry that allows any number of results.
const Unlimited = -1

// Counts holds a number per severity, indexed by finding.Severity.
type Counts [5]int

// Budget is the most results of each severity that may remain, indexed by
// finding.Severity; Unlimited allows any number.
type Budget [5]int

// NewBudget returns the budget fail-on means: no result at or above
// failOn, any number below it.
func NewBudget(failOn finding.Severity) Budget {
	var b Budget
	for _, s := range finding.Severities() {
		if s >= failOn {
			b[s] = 0
		} else {
			b[s] = Unlimited
		}
	}
	return b
}

// Over returns the severities whose count exceeds the budget, worst first.
func (b Budget) Over(c Counts) []finding.Severity {
	var out []finding.Severity
	sev := finding.Severities()
	for i := len(sev) - 1; i >= 0; i-- {
		s := sev[i]
		if b[s] != Unlimited && c[s] > b[s] {
			out = append(out, s)
		}
	}
	return out
}

// Describe renders a budget entry: "0", "10" or "unlimited".
func (b Budget) Describe(s finding.Severity) string {
	if b[s] == Unlimited {
		return "unlimited"
	}
	return fmt.Sprint(b[s])
}

// Cell counts one tool's results of one severity.
type Cell struct {
	// New are results that count toward the budget: not waived and, with
	// a baseline, not in it. Baseline are unwaived results also in the
	// baseline; Waived are results a waiver or the tool itself suppressed.
	New, Baseline, Waived int
}

// Tally counts a report's results for the budget and the summary.
type Tally struct {
	// Labels are the runs' names in report order: the tool, with the
	// category when one tool appears under several.
	Labels []string
	// Cells are indexed like Labels, then by severity.
	Cells [][5]Cell
	// Counted are the results that count toward the budget.
	Counted Counts
	// NotAProblem counts results of kind pass or notApplicable.
	NotAProblem int
	// From counts results by where their severity came from.
	From map[string]int
}

// Count tallies a report; baseline says whether a baseline was given.
func Count(rep *Report, baseline bool) *Tally {
	t := &Tally{From: map[string]int{}}
	names := map[string]int{}
	for _, r := range rep.Runs {
		names[r.Tool]++
	}
	for _, r := range rep.Runs {
		label := r.Tool
		if names[r.Tool] > 1 {
			label += " (" + strings.TrimSuffix(r.Category, "/") + ")"
		}
		t.Labels = append(t.Labels, label)
		var row [5]Cell
		for _, it := range r.Items {
			if it.NotAProblem {
				t.NotAProblem++
				continue
			}
			t.From[it.SeverityFrom]++
			switch {
			case it.Suppression != nil:
				row[it.Severity].Waived++
			case baseline && it.Baseline:
				row[it.Severity].Baseline++
			default:
				row[it.Severity].New++
				t.Counted[it.Severity]++
			}
		}
		t.Cells = append(t.Cells, row)
	}
	return t
}
