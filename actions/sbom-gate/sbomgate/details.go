package sbomgate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hubgates/hub/shared/gate"
)

// maxRows bounds each table of the summary; the rest are counted.
const maxRows = 50

// dash stands in for an empty cell.
func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func code(s string) string { return gate.MarkdownCode(s) }
func text(s string) string { return gate.MarkdownText(s) }

// more writes the line that counts the rows a table left out.
func more(b *strings.Builder, total int) {
	if total > maxRows {
		fmt.Fprintf(b, "\n… and %d more (the SARIF log and the evidence list every finding).\n", total-maxRows)
	}
}

func parityDetails(ps []PlatformSBOM, diffs []Difference) string {
	var b strings.Builder
	b.WriteString("### Platforms\n\n| Platform | SBOM | Format | Components |\n|---|---|---|---|\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "| %s | %s | %s | %d |\n", text(p.Platform), code(p.SBOM.Name), text(p.SBOM.Format), len(p.SBOM.Components))
	}
	if len(diffs) == 0 {
		return b.String()
	}
	b.WriteString("\n### Differences\n\n| Package |")
	for _, p := range ps {
		b.WriteString(" " + text(p.Platform) + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(ps)) + "\n")
	for i, d := range diffs {
		if i == maxRows {
			break
		}
		b.WriteString("| " + code(d.Package) + " |")
		for _, p := range ps {
			vs, ok := d.Versions[p.Platform]
			cell := "missing"
			if ok {
				cell = versionList(vs)
			}
			b.WriteString(" " + text(cell) + " |")
		}
		b.WriteString("\n")
	}
	more(&b, len(diffs))
	return b.String()
}

func diffDetails(base, head *SBOM, d *DiffResult, bot BotUpdate, isBot bool) string {
	var b strings.Builder
	if isBot {
		fmt.Fprintf(&b, "**%s** pull request: %s\n\n", text(bot.Bot), text(bot.Title))
		if bot.Package != "" {
			i := slices.IndexFunc(append(slices.Clone(d.Upgraded), d.Downgraded...), bot.Matches)
			if i >= 0 {
				fmt.Fprintf(&b, "The SBOM diff shows the update the title names: %s to %s.\n\n", code(bot.Package), text(bot.To))
			} else {
				fmt.Fprintf(&b, "The SBOM diff does **not** show %s at %s: the SBOMs may be stale, or the update changes more than its title says.\n\n", code(bot.Package), text(bot.To))
			}
		}
	}
	fmt.Fprintf(&b, "| | Base %s | Head %s |\n|---|---|---|\n| Format | %s | %s |\n| Components | %d | %d |\n\n",
		code(base.Name), code(head.Name), text(base.Format), text(head.Format), len(base.Components), len(head.Components))
	fmt.Fprintf(&b, "| Added | Removed | Upgraded | Downgraded | Licence changes | Unchanged |\n|---|---|---|---|---|---|\n| %d | %d | %d | %d | %d | %d |\n",
		len(d.Added), len(d.Removed), len(d.Upgraded), len(d.Downgraded), len(d.Relicensed), d.Unchanged)
	type row struct{ kind, pkg, from, to string }
	var rows []row
	for _, c := range d.Downgraded {
		rows = append(rows, row{"downgraded", c.Head.PackageKey(), c.Base.Version, c.Head.Version})
	}
	for _, c := range d.Upgraded {
		rows = append(rows, row{"upgraded", c.Head.PackageKey(), c.Base.Version, c.Head.Version})
	}
	for _, c := range d.Added {
		rows = append(rows, row{"added", c.PackageKey(), "", c.Version})
	}
	for _, c := range d.Removed {
		rows = append(rows, row{"removed", c.PackageKey(), c.Version, ""})
	}
	for _, c := range d.Relicensed {
		rows = append(rows, row{"licence", c.Head.PackageKey(), strings.Join(c.Base.Licenses, " / "), strings.Join(c.Head.Licenses, " / ")})
	}
	if len(rows) > 0 {
		b.WriteString("\n### Changes\n\n| Change | Package | Base | Head |\n|---|---|---|---|\n")
		for i, r := range rows {
			if i == maxRows {
				break
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.kind, code(r.pkg), dash(text(r.from)), dash(text(r.to)))
		}
		more(&b, len(rows))
	}
	return b.String()
}

func riskDetails(a *assessment, all []judged) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Product: %s · KEV catalogue %s (released %s) · EPSS scores of %s (model %s)\n\n",
		text(strings.Join(a.products, ", ")), text(a.kev.Version), text(a.kev.Date()), text(a.epss.Date), text(a.epss.Model))
	fmt.Fprintf(&b, "Risk = min(10, CVSS base + %g if in KEV + %g if EPSS probability ≥ %g or percentile ≥ %g); threshold %g.\n",
		a.params.KEVBonus, a.params.EPSSBonus, a.params.EPSSProbability, a.params.EPSSPercentile, a.params.Threshold)
	var over []judged
	for _, j := range all {
		if j.Score >= a.params.Threshold {
			over = append(over, j)
		}
	}
	slices.SortStableFunc(over, func(x, y judged) int {
		bx, by := x.Blocking(a.params.Threshold), y.Blocking(a.params.Threshold)
		switch {
		case bx != by && bx:
			return -1
		case bx != by:
			return 1
		case x.Score != y.Score:
			return map[bool]int{true: -1, false: 1}[x.Score > y.Score]
		}
		return strings.Compare(x.Vuln.Name(), y.Vuln.Name())
	})
	if len(over) > 0 {
		b.WriteString("\n### At or above the threshold\n\n| | Vulnerability | Package | CVSS | KEV | EPSS | Risk | Signed VEX |\n|---|---|---|---|---|---|---|---|\n")
		for i, j := range over {
			if i == maxRows {
				break
			}
			mark, vex := "❌", "none"
			if !j.Blocking(a.params.Threshold) {
				mark = "✅"
			}
			if j.Decision != nil {
				vex = j.Decision.Status
				if j.Decision.Justification != "" {
					vex += " (" + j.Decision.Justification + ")"
				}
				vex += " by " + j.Decision.Signer
			}
			kev, epss := "no", "—"
			if j.InKEV {
				kev = fmt.Sprintf("+%g", j.KEVPoints)
			}
			if j.HasEPSS {
				epss = fmt.Sprintf("+%g (%.3g / %.3g)", j.EPSSPoints, j.EPSS.Probability, j.EPSS.Percentile)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | **%.1f** | %s |\n", mark, text(j.Vuln.Name()), code(j.Vuln.Package.Display()),
				text(j.BaseText()), kev, epss, j.Score, text(vex))
		}
		more(&b, len(over))
	}
	if len(a.docs) > 0 {
		b.WriteString("\n### VEX documents\n\n| Document | Statements | Signed by | Trusted |\n|---|---|---|---|\n")
		for _, d := range a.docs {
			trusted := "✅"
			if d.Problem != "" {
				trusted = "❌ " + text(d.Problem)
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %s |\n", code(d.Name), d.Statements, dash(text(d.Signer)), trusted)
		}
	}
	return b.String()
}
