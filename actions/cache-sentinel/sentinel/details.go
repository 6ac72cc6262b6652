package sentinel

import (
	"fmt"
	"strings"
)

// cellText makes text safe in a Markdown table cell.
func cellText(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

// signerName renders who signed for one line of text.
func signerName(kind, identity, issuer string) string {
	if kind == "key" {
		return "key " + identity
	}
	return fmt.Sprintf("%s (issuer %s)", identity, issuer)
}

func sealDetails(m *Manifest, md, kind, identity, issuer string, logIndex int64, c Classification, manifest, bundle string) string {
	var b strings.Builder
	b.WriteString("| Sealed | |\n|---|---|\n")
	fmt.Fprintf(&b, "| Cache key | `%s` |\n| Cache paths | %s |\n| Files | %d (%d bytes) |\n", m.CacheKey, codeList(m.Roots), m.Files, m.Bytes)
	fmt.Fprintf(&b, "| Manifest | `%s` `%s` |\n| Bundle | `%s` |\n", manifest, md, bundle)
	fmt.Fprintf(&b, "| Signer | %s |\n", cellText(signerName(kind, identity, issuer)))
	if logIndex >= 0 {
		fmt.Fprintf(&b, "| Transparency log index | %d |\n", logIndex)
	}
	fmt.Fprintf(&b, "| Trust domain | `%s`: %s |\n", c.Domain, cellText(c.Why))
	return b.String()
}

func codeList(xs []string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = "`" + x + "`"
	}
	return strings.Join(out, ", ")
}

// maxDetailRows bounds the quarantine list in the summary.
const maxDetailRows = 30

func verifyDetails(m *Manifest, md, signer string, c Classification, rep *VerifyReport, where string) string {
	var b strings.Builder
	b.WriteString("| Verified | |\n|---|---|\n")
	fmt.Fprintf(&b, "| Manifest | `%s`, sealed %s for key `%s` |\n", md, m.Created.Format("2006-01-02T15:04:05Z"), m.CacheKey)
	fmt.Fprintf(&b, "| Signer | %s |\n", cellText(signer))
	fmt.Fprintf(&b, "| Sealed by | run %s of `%s` on `%s`, trust domain `%s` |\n", m.RunID, m.Repository, m.Ref, m.TrustDomain)
	fmt.Fprintf(&b, "| This run | trust domain `%s`: %s |\n", c.Domain, cellText(c.Why))
	fmt.Fprintf(&b, "| Files | %d examined, %d matched, %d bytes hashed |\n", rep.Files, rep.Hits, rep.BytesChecked)
	fmt.Fprintf(&b, "| Removed | %d %s |\n| Missing | %d |\n", len(rep.Quarantined), where, rep.Misses)
	if len(rep.Quarantined) > 0 {
		b.WriteString("\n| Removed from the cache | Now at |\n|---|---|\n")
		for i, r := range rep.Quarantined {
			if i == maxDetailRows {
				fmt.Fprintf(&b, "\n…and %d more; the findings list every one.\n", len(rep.Quarantined)-maxDetailRows)
				break
			}
			to := "deleted"
			if r.To != "" {
				to = "`" + r.To + "`"
			}
			fmt.Fprintf(&b, "| `%s` | %s |\n", r.Path, to)
		}
	}
	return b.String()
}
