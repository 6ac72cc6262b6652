package waiver

import "github.com/hubgates/hub/shared/finding"

// The ids of the rules about waivers themselves.
const (
	RuleExpired = "expired-waiver"
	RuleUnused  = "unused-waiver"
	RuleInvalid = "invalid-waiver"
)

// The rules about waivers themselves. A gate that applies waivers lists
// them in its Spec.Rules (through [Rules]), since every SARIF result must
// name a declared rule. Their findings are never waived, but a gate's
// configuration may disable them or change their severity like any rule's.
var (
	// ExpiredRule reports a waiver past its expiry date. It no longer
	// waives: the findings it matched count again. Medium, so that with the
	// default fail-on (high) a stale waiver whose finding is gone warns
	// without failing, while the finding itself still fails.
	ExpiredRule = finding.Rule{
		ID:       RuleExpired,
		Severity: finding.Medium,
		Summary:  "A waiver has expired and no longer waives anything",
		Help: "The waiver's expires date has passed (waivers hold until the end of that day, UTC), so the findings it matched " +
			"are reported again. Fix them, or review the exception and give the waiver a new expires date within the allowed maximum; " +
			"delete the waiver when nothing needs it any more.",
	}
	// UnusedRule reports a waiver that matches no finding: the finding was
	// fixed or moved, or the waiver's selectors are wrong. Medium: a
	// warning, as the issue asks.
	UnusedRule = finding.Rule{
		ID:       RuleUnused,
		Severity: finding.Medium,
		Summary:  "A waiver matches no finding",
		Help: "Nothing the gate found matches this waiver's rule, path, line, job and fingerprint. " +
			"Delete it if the finding was fixed; otherwise correct its selectors (see the gate's findings for the exact rule, path and line).",
	}
	// InvalidRule reports an inline waiver comment hub cannot accept: it
	// waives nothing. High, so a broken waiver cannot pass unnoticed.
	InvalidRule = finding.Rule{
		ID:       RuleInvalid,
		Severity: finding.High,
		Summary:  "An inline waiver comment is malformed and waives nothing",
		Help: "Write inline waivers as `" + InlineSyntax + "`, " +
			"with an expires date no further ahead than the gate's max-waiver-days. The comment on its own line waives the next line; " +
			"at the end of a line it waives that line.",
	}
)

// Rules returns the waiver rules with HelpURI set to helpBase followed by
// each rule's id (helpBase is typically the gate README's URL ending in
// "#"); an empty helpBase leaves HelpURI empty.
func Rules(helpBase string) []finding.Rule {
	rs := []finding.Rule{ExpiredRule, InvalidRule, UnusedRule}
	if helpBase != "" {
		for i := range rs {
			rs[i].HelpURI = helpBase + rs[i].ID
		}
	}
	return rs
}
