package sarifgate

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// Summary is what the step summary says beyond the runtime's verdict and
// findings tables.
type Summary struct {
	Tally    *Tally
	Budget   Budget
	Baseline bool // a baseline was given
	Report   *Report
	Output   *Output
	// OutputName is the output file, workspace-relative; Files and
	// BaselineFiles the inputs read; Skipped those skip-invalid left out.
	OutputName           string
	Files, BaselineFiles []string
	Skipped              []Skipped
	DefaultSeverity      finding.Severity
}

// Markdown renders the table of tools by severity, the budget row and one
// line for each thing a reader should know: duplicates removed, results
// that fell back to default-severity, files skipped, results left out of
// the upload, and how to upload the output.
func (s *Summary) Markdown() string {
	var b strings.Builder
	sev := finding.Severities()
	b.WriteString("### Results by tool\n\n")
	if s.Baseline {
		b.WriteString("Each cell is new / baseline / waived; only new results count toward the budget.\n\n")
	} else {
		b.WriteString("Each cell is counted / waived; waived results do not count toward the budget.\n\n")
	}
	b.WriteString("| Tool |")
	for i := len(sev) - 1; i >= 0; i-- {
		fmt.Fprintf(&b, " %s |", sev[i])
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(sev)) + "\n")
	var total [5]Cell
	for i, label := range s.Tally.Labels {
		fmt.Fprintf(&b, "| %s |", md(label))
		for j := len(sev) - 1; j >= 0; j-- {
			c := s.Tally.Cells[i][sev[j]]
			total[sev[j]].New += c.New
			total[sev[j]].Baseline += c.Baseline
			total[sev[j]].Waived += c.Waived
			fmt.Fprintf(&b, " %s |", s.cell(c))
		}
		b.WriteString("\n")
	}
	b.WriteString("| **all tools** |")
	for j := len(sev) - 1; j >= 0; j-- {
		fmt.Fprintf(&b, " **%s** |", s.cell(total[sev[j]]))
	}
	b.WriteString("\n| **budget** |")
	over := map[finding.Severity]bool{}
	for _, o := range s.Budget.Over(s.Tally.Counted) {
		over[o] = true
	}
	for j := len(sev) - 1; j >= 0; j-- {
		mark := ""
		if over[sev[j]] {
			mark = " ❌"
		}
		fmt.Fprintf(&b, " %s%s |", s.Budget.Describe(sev[j]), mark)
	}
	b.WriteString("\n\n")
	for _, n := range s.notes() {
		b.WriteString("- " + n + "\n")
	}
	return b.String()
}

func (s *Summary) cell(c Cell) string {
	if s.Baseline {
		return fmt.Sprintf("%d / %d / %d", c.New, c.Baseline, c.Waived)
	}
	return fmt.Sprintf("%d / %d", c.New, c.Waived)
}

func (s *Summary) notes() []string {
	var out []string
	r := s.Report
	read := fmt.Sprintf("Read %d SARIF file%s (%s)", len(s.Files), plural(len(s.Files)), codeList(s.Files, 5))
	if len(s.BaselineFiles) > 0 {
		read += fmt.Sprintf(" and %d baseline file%s (%s)", len(s.BaselineFiles), plural(len(s.BaselineFiles)), codeList(s.BaselineFiles, 5))
	}
	read += fmt.Sprintf(": %d results", r.Read)
	if r.Duplicates > 0 {
		read += fmt.Sprintf(", of which %d duplicates were removed", r.Duplicates)
	}
	out = append(out, read+".")
	for _, sk := range s.Skipped {
		out = append(out, fmt.Sprintf("Skipped `%s` (skip-invalid): it %s.", md(sk.File.Name), md(sk.Err.Error())))
	}
	if n := s.Tally.From[FromDefault]; n > 0 {
		out = append(out, fmt.Sprintf("%d result%s carried no severity information and count%s as %s (default-severity).", n, plural(n), singular(n), s.DefaultSeverity))
	}
	if n := s.Tally.NotAProblem; n > 0 {
		out = append(out, fmt.Sprintf("%d result%s of kind pass or notApplicable %s written through and not counted.", n, plural(n), were(n)))
	}
	if r.LocationsCut > 0 {
		out = append(out, fmt.Sprintf("%d result%s had more than %d locations; the first %d were kept.", r.LocationsCut, plural(r.LocationsCut), maxLocations, maxLocations))
	}
	if r.FlowsCut > 0 {
		out = append(out, fmt.Sprintf("%d result%s had more than %d data flow steps and %s written without their paths.", r.FlowsCut, plural(r.FlowsCut), maxFlowLocations, were(r.FlowsCut)))
	}
	if o := s.Output; o != nil {
		for _, n := range o.Notes {
			out = append(out, "Upload limits: "+md(n)+"; the budget counted every result.")
		}
		out = append(out, fmt.Sprintf("Wrote `%s`: %d result%s in %d run%s, each with its own category. Upload it with github/codeql-action/upload-sarif without a `category` input.",
			md(s.OutputName), o.Results, plural(o.Results), o.RunCount, plural(o.RunCount)))
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func singular(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

func were(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// codeList renders up to max names as code, then how many more.
func codeList(names []string, max int) string {
	var parts []string
	for i, n := range names {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(names)-max))
			break
		}
		parts = append(parts, "`"+md(n)+"`")
	}
	return strings.Join(parts, ", ")
}

// md makes text from a SARIF file safe in Markdown (and in a table cell).
func md(s string) string {
	return strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]", "`", "'", "\n", " ", "\r", "").Replace(s)
}
