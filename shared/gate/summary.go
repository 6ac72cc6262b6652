package gate

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/version"
)

// maxSummaryRows bounds the findings table so a huge run still renders;
// the SARIF log and the evidence carry every finding.
const maxSummaryRows = 50

// maxSummaryBytes keeps the summary under GitHub's limit of 1 MiB a step,
// beyond which the runner drops it and reports an error.
const maxSummaryBytes = 1000000

// errorBlock is the run's error for a fenced code block: at most
// maxErrorLines lines, none able to close the fence.
func (r *run) errorBlock() string {
	lines := splitLines(r.err.Error())
	if len(lines) > maxErrorLines {
		lines = append(lines[:maxErrorLines], fmt.Sprintf("…and %d more lines; the evidence holds the whole message", len(lines)-maxErrorLines))
	}
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(cutLine(escapeControls(l)), "```", "'''")
	}
	return strings.Join(lines, "\n")
}

// cutMarkdown shortens gate-written Markdown to about n bytes at a line
// break, saying that the rest is in the evidence.
func cutMarkdown(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if i := strings.LastIndexByte(s[:n], '\n'); i > 0 {
		n = i
	}
	return s[:n] + "\n\n…the rest of this section is left out: the step summary is limited to 1 MiB."
}

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
	fmt.Fprintf(&b, "## %s %s\n\n", icon, MarkdownText(r.headline()))
	if r.mode == "warn" && r.result != nil && r.result.Denied {
		b.WriteString("> **Warn mode:** enforce would have failed this step (exit 1). It passes so the findings can be fixed first.\n\n")
	}
	if r.err != nil {
		b.WriteString("```text\n" + r.errorBlock() + "\n```\n\n")
	}
	if r.result != nil && r.result.Reason != "" {
		b.WriteString(MarkdownText(r.result.Reason) + "\n\n")
	}
	active, waived := r.active(), r.waived()
	if len(active)+len(waived) > 0 {
		writeCounts(&b, active, waived)
	}
	if len(active) > 0 {
		b.WriteString("### Findings\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|\n")
		rows := groupBySeverityThenRule(active)
		for i, f := range rows {
			if i == maxSummaryRows {
				fmt.Fprintf(&b, "\n…and %d more; the SARIF log and the evidence list every finding.\n", len(rows)-maxSummaryRows)
				break
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", f.Severity, MarkdownCode(f.Rule), r.location(f), MarkdownText(f.Message))
		}
		b.WriteString("\n")
	}
	if len(waived) > 0 {
		b.WriteString("### Waived\n\nAccepted by a waiver until it expires; not counted toward the verdict.\n\n")
		b.WriteString("| Severity | Rule | Location | Reason | Expires | Waiver |\n|---|---|---|---|---|---|\n")
		rows := groupBySeverityThenRule(waived)
		for i, f := range rows {
			if i == maxSummaryRows {
				fmt.Fprintf(&b, "\n…and %d more; the SARIF log and the evidence list every waived finding.\n", len(rows)-maxSummaryRows)
				break
			}
			sup := f.Suppression
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", f.Severity, MarkdownCode(f.Rule), r.location(f), MarkdownText(sup.Justification), MarkdownText(sup.Expires), r.sourceLocation(sup.Source))
		}
		b.WriteString("\n")
	}
	if r.result != nil && r.result.Details != "" {
		details := strings.TrimSpace(r.result.Details)
		if room := maxSummaryBytes - b.Len() - 1024; len(details) > room {
			details = cutMarkdown(details, room)
		}
		b.WriteString(details + "\n\n")
	}
	var foot []string
	foot = append(foot, fmt.Sprintf("hub %s %s", r.gate.Spec.Name, version.Version), "mode "+r.mode, fmt.Sprintf("exit %d", r.code))
	if r.sarifRel != "" {
		foot = append(foot, "SARIF "+MarkdownCode(r.sarifRel))
	}
	if r.evidence != "" {
		foot = append(foot, "evidence "+MarkdownCode(r.env.Rel(r.evidence)))
	}
	b.WriteString("<sub>" + strings.Join(foot, " · ") + "</sub>\n")
	return b.String()
}

// writeCounts writes one row per severity present, worst first: how many
// findings count toward the verdict and how many are waived.
func writeCounts(b *strings.Builder, active, waived []finding.Finding) {
	act, _ := countBySeverity(active)
	wav, _ := countBySeverity(waived)
	b.WriteString("| Severity | Findings | Waived |\n|---|---|---|\n")
	sev := finding.Severities()
	for i := len(sev) - 1; i >= 0; i-- {
		name := sev[i].String()
		if act[name]+wav[name] > 0 {
			fmt.Fprintf(b, "| %s | %d | %d |\n", name, act[name], wav[name])
		}
	}
	b.WriteString("\n")
}

// groupBySeverityThenRule returns a copy of fs ordered worst severity
// first, then by rule, keeping the given (position) order inside a rule.
func groupBySeverityThenRule(fs []finding.Finding) []finding.Finding {
	rows := slices.Clone(fs)
	slices.SortStableFunc(rows, func(a, b finding.Finding) int {
		return cmp.Or(cmp.Compare(b.Severity, a.Severity), cmp.Compare(a.Rule, b.Rule))
	})
	return rows
}

// sourceLocation renders a waiver's "path:line" like a finding's location.
func (r *run) sourceLocation(src string) string {
	if src == "" {
		return ""
	}
	f := finding.Finding{Path: src}
	if i := strings.LastIndexByte(src, ':'); i > 0 {
		if n, err := strconv.Atoi(src[i+1:]); err == nil && n > 0 {
			f.Path, f.Line = src[:i], n
		}
	}
	return r.location(f)
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
		return MarkdownCode(text)
	}
	u := fmt.Sprintf("%s/%s/blob/%s/%s", strings.TrimSuffix(r.env.ServerURL, "/"), r.env.Repository, r.env.SHA, (&url.URL{Path: f.Path}).EscapedPath())
	if f.Line > 0 {
		u += fmt.Sprintf("#L%d", f.Line)
	}
	return fmt.Sprintf("[%s](%s)", MarkdownText(text), u)
}

// MarkdownText makes untrusted text safe as inline Markdown, in a
// paragraph or a table cell: no HTML, no links or images, no table
// columns, and no line breaks that could start a heading or a list (they
// become <br>); control characters are escaped as in the log. Gates use it
// for every value they put in Result.Details.
func MarkdownText(s string) string {
	lines := splitLines(s)
	for i, l := range lines {
		lines[i] = mdEscape(strings.ReplaceAll(cutLine(escapeControls(l)), "|", "\\|"))
	}
	return strings.Join(lines, "<br>")
}

// MarkdownCode renders untrusted text as an inline code span that shows it
// as it is (control characters and line breaks escaped): the fence is one
// backtick longer than any run of backticks inside, and a pipe is escaped,
// as GitHub requires inside a table.
func MarkdownCode(s string) string {
	s = strings.ReplaceAll(cutLine(escapeControls(strings.Join(splitLines(s), "\n"))), "|", "\\|")
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if s == "" {
		return "` `"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdEscape neutralises the characters that would let finding text inject
// HTML, links or emphasis into the summary.
func mdEscape(s string) string {
	return mdReplacer.Replace(s)
}

var mdReplacer = strings.NewReplacer("<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]", "`", "\\`")
