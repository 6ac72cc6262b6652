package proof

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/gate"
)

// details is the summary's table of probes: each one's verdict and the
// rules that decided it, then what was changed so it could run offline.
func details(resp *engineResponse) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### Probes (Kyverno %s)\n\n| Probe | Must be | Verdict | Decided by |\n|---|---|---|---|\n", gate.MarkdownText(resp.KyvernoVersion))
	for _, p := range resp.Probes {
		mark := "✅"
		if p.Verdict != p.MustBe {
			mark = "❌"
		}
		var by []string
		for _, r := range p.By {
			by = append(by, gate.MarkdownCode(r.Policy+"/"+r.Rule)+" ("+gate.MarkdownText(r.Status)+")")
		}
		if len(by) == 0 {
			by = []string{"no rule denied it"}
		}
		fmt.Fprintf(&b, "| %s %s: %s | %s | %s | %s |\n", mark, gate.MarkdownCode(p.Name), gate.MarkdownText(p.Description), p.MustBe, gate.MarkdownText(p.Verdict), strings.Join(by, ", "))
	}
	if len(resp.Substitutions) > 0 {
		b.WriteString("\nThe probe images are signed offline with a key made for the run, so the policies' attestors were replaced by it:\n\n")
		for _, s := range resp.Substitutions {
			fmt.Fprintf(&b, "- %s\n", gate.MarkdownText(s))
		}
	}
	return b.String()
}
