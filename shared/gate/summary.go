package gate

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/version"
)

// maxSummaryRows bounds the findings table so a huge run still renders;
// the SARIF log and the evidence carry every finding.
const maxSummaryRows = 50

var verdictIcon = map[string]string{
	"passed": "✅", "denied": "❌", "bad-input": "⛔", "undecided": "❓",
}

// summary renders the step summary: the verdict first, then counts, then a
// findings table a reviewer can read in ten seconds, then the gate's own
// details.
func (r *run) summary() string {
	var b strings.Builder
	icon := verdictIcon[r.verdict()]
	if r.mode == "warn" && r.verdict() == "denied" {
		icon = "⚠️"
	}
	fmt.Fprintf(&b, "## %s %s\n\n", icon, mdEscape(r.headline()))
	if r.mode == "warn" && r.result != nil && r.result.Denied {
		b.WriteString("> **Warn mode:** enforce would have failed this step (exit 1). It passes so the findings can be fixed first.\n\n")
	}
	if r.err != nil {
		b.WriteString("```text\n" + strings.ReplaceAll(r.err.Error(), "```", "'''") + "\n```\n\n")
	}
	if r.result != nil && r.result.Reason != "" {
		b.WriteString(mdEscape(r.result.Reason) + "\n\n")
	}
	fs := r.findings()
	if len(fs) > 0 {
		b.WriteString("| Severity | Rule | Location | Message |\n|---|---|---|---|\n")
		rows := append([]finding.Finding(nil), fs...)
		sortWorstFirst(rows)
		for i, f := range rows {
			if i == maxSummaryRows {
				fmt.Fprintf(&b, "\n…and %d more; the SARIF log and the evidence list every finding.\n", len(rows)-maxSummaryRows)
				break
			}
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", f.Severity, f.Rule, r.location(f), cell(f.Message))
		}
		b.WriteString("\n")
	}
	if r.result != nil && r.result.Details != "" {
		b.WriteString(strings.TrimSpace(r.result.Details) + "\n\n")
	}
	var foot []string
	foot = append(foot, fmt.Sprintf("hub %s %s", r.gate.Spec.Name, version.Version), "mode "+r.mode, fmt.Sprintf("exit %d", r.code))
	if r.sarifRel != "" {
		foot = append(foot, "SARIF `"+r.sarifRel+"`")
	}
	if r.evidence != "" {
		foot = append(foot, "evidence `"+r.env.Rel(r.evidence)+"`")
	}
	b.WriteString("<sub>" + strings.Join(foot, " · ") + "</sub>\n")
	return b.String()
}

func sortWorstFirst(fs []finding.Finding) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Severity > fs[j-1].Severity; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// location renders a finding's place, linked to the file at the run's
// commit when the repository and commit are known.
func (r *run) location(f finding.Finding) string {
	if f.Path == "" {
		return ""
	}
	text := f.Path
	if f.Line > 0 {
		text = fmt.Sprintf("%s:%d", f.Path, f.Line)
	}
	if r.env.Repository == "" || r.env.SHA == "" {
		return "`" + text + "`"
	}
	u := fmt.Sprintf("%s/%s/blob/%s/%s", strings.TrimSuffix(r.env.ServerURL, "/"), r.env.Repository, r.env.SHA, (&url.URL{Path: f.Path}).EscapedPath())
	if f.Line > 0 {
		u += fmt.Sprintf("#L%d", f.Line)
	}
	return fmt.Sprintf("[%s](%s)", mdEscape(text), u)
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n", "<br>")
	return mdEscape(strings.ReplaceAll(s, "|", "\\|"))
}

// mdEscape neutralises the characters that would let finding text inject
// HTML or links into the summary.
func mdEscape(s string) string {
	return strings.NewReplacer("<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]").Replace(s)
}
