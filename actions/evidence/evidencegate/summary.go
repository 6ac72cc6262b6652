package evidencegate

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/gate"
)

// gatesTable is the summary's table of records: a row per record with
// its verdict first, so a reviewer sees at once which gate failed.
func gatesTable(recs []Collected) string {
	if len(recs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("| | Gate | Verdict | Findings | Record |\n|---|---|---|---|---|\n")
	for _, c := range recs {
		if c.Err != nil {
			fmt.Fprintf(&b, "| ❌ | | unreadable | | %s |\n", gate.MarkdownCode(c.Path))
			continue
		}
		mark := "✅"
		if c.Record.Verdict != "passed" || c.Record.ExitCode != 0 {
			mark = "❌"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %s |\n", mark, gate.MarkdownCode(c.Record.Gate), gate.MarkdownText(c.Record.Verdict), len(c.Record.Findings), gate.MarkdownCode(c.Path))
	}
	return b.String()
}

// statementDetails says what was signed and where it went.
func statementDetails(st Statement, referrers []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nPredicate type `%s`, subjects:\n\n", PredicateType)
	for _, s := range st.Subject {
		fmt.Fprintf(&b, "- %s `sha256:%s`\n", gate.MarkdownCode(s.Name), s.Digest["sha256"])
	}
	for _, d := range st.Predicate.Dashboards {
		fmt.Fprintf(&b, "- dashboard %s: %s\n", gate.MarkdownCode(d.Name), gate.MarkdownCode(d.URL))
	}
	for _, r := range referrers {
		fmt.Fprintf(&b, "- attached: %s\n", gate.MarkdownCode(r))
	}
	return b.String()
}
