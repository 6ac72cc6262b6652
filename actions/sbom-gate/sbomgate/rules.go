package sbomgate

import (
	"slices"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/waiver"
)

// gateURL is where the gate's documentation lives; rule help links to it.
const gateURL = "https://github.com/hubgates/hub/tree/main/actions/sbom-gate"

// The rule ids.
const (
	RuleParityMissing  = "parity-missing"
	RuleParityVersion  = "parity-version"
	RuleDiffDowngrade  = "diff-downgrade"
	RuleDiffLicense    = "diff-license"
	RuleDiffVulnerable = "diff-vulnerable"
	RuleRiskBlocking   = "risk-blocking"
	RuleVEXUnsigned    = "vex-unsigned"
	RuleVEXUntrusted   = "vex-untrusted"
)

// Rules are the gate's own rules.
var Rules = []finding.Rule{
	{ID: RuleParityMissing, Severity: finding.High, Summary: "A component is missing from some platforms of a release",
		Help: "The SBOMs of the platforms of one release must list the same components (architecture qualifiers aside). Build every platform from the same inputs, or allow the expected difference in .github/hub.yml with a waiver naming the rule and the component's package URL as fingerprint, until a date."},
	{ID: RuleParityVersion, Severity: finding.High, Summary: "A component has different versions on different platforms",
		Help: "The same package is built at different versions for different platforms of one release. Pin it to one version, or allow the difference with a waiver (rule and the versionless package URL as fingerprint) until a date."},
	{ID: RuleDiffDowngrade, Severity: finding.High, Summary: "A dependency update downgrades a component",
		Help: "The head SBOM has an older version of a component than the base. Check that the downgrade is meant; leave downgrade out of the deny input to report downgrades without failing, or waive this one with its package URL as fingerprint."},
	{ID: RuleDiffLicense, Severity: finding.High, Summary: "A new or changed component carries a licence outside the allowlist",
		Help: "A component added or changed by this update is licensed under terms the allowed-licenses input does not list. Review the licence; add it to allowed-licenses if it is acceptable, or waive this component until a date."},
	{ID: RuleDiffVulnerable, Severity: finding.High, Summary: "A new or upgraded component has a known vulnerability at or above the risk threshold",
		Help: "The update brings in a component version with a vulnerability whose risk score (CVSS raised for KEV and EPSS) reaches risk-threshold. Pick a fixed version, or publish a signed VEX statement (not_affected with a justification, or fixed) for it: only signed VEX waives a vulnerability."},
	{ID: RuleRiskBlocking, Severity: finding.High, Summary: "A vulnerability at or above the risk threshold is not covered by signed VEX",
		Help: "The vulnerability's risk score (its CVSS base score raised when it is in CISA's KEV catalogue and when its EPSS probability or percentile passes the thresholds) reaches risk-threshold. Update the package, or publish a VEX statement, not_affected with a justification or fixed, for this product and package, signed by an allowed identity. Waivers in .github/hub.yml do not apply."},
	{ID: RuleVEXUnsigned, Severity: finding.Medium, Summary: "A VEX document is not signed and is ignored",
		Help: "Only signed VEX counts: sign the document into a Sigstore bundle beside it (<file>.sigstore.json, as cosign sign-blob --bundle or hub's sign gate write), or attest it as an in-toto statement with an OpenVEX predicate, by an identity the inputs allow."},
	{ID: RuleVEXUntrusted, Severity: finding.Medium, Summary: "A VEX document's signature does not verify for an allowed signer and is ignored",
		Help: "The signature was made by another identity or key than the inputs allow, or over other bytes (the document was edited after signing), or the attestation names another subject. Its statements are ignored. Re-sign the document as it stands with an allowed identity."},
}

// vulnRules are the rules only signed VEX may waive: waivers and rule
// settings in the configuration file may not touch them.
var vulnRules = []string{RuleRiskBlocking, RuleDiffVulnerable}

// gateRules are every rule a finding of the gate can carry: its own and
// the configuration file's waiver rules (SBOMs carry no inline waivers,
// so invalid-waiver never fires).
var gateRules = slices.Concat(withHelpURI(Rules), slices.DeleteFunc(waiver.Rules(gateURL+"#"), func(r finding.Rule) bool {
	return r.ID == waiver.RuleInvalid
}))

func withHelpURI(rs []finding.Rule) []finding.Rule {
	out := slices.Clone(rs)
	for i := range out {
		out[i].HelpURI = gateURL + "#" + out[i].ID
	}
	return out
}
