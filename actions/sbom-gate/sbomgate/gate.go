package sbomgate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/waiver"
)

// gateName is the gate's name and its section in .github/hub.yml.
const gateName = "sbom-gate"

// The operations.
const (
	OpParity = "parity"
	OpDiff   = "diff"
	OpRisk   = "risk"
)

// The gate's own inputs.
const (
	inputSBOMs           = "sboms"
	inputImage           = "image"
	inputBase            = "base"
	inputHead            = "head"
	inputSBOM            = "sbom"
	inputVulnerabilities = "vulnerabilities"
	inputKEV             = "kev"
	inputEPSS            = "epss"
	inputFeedCache       = "feed-cache"
	inputThreshold       = "risk-threshold"
	inputKEVBonus        = "kev-bonus"
	inputEPSSBonus       = "epss-bonus"
	inputEPSSProbability = "epss-probability"
	inputEPSSPercentile  = "epss-percentile"
	inputVEX             = "vex"
	inputProduct         = "product"
	inputIdentity        = "certificate-identity"
	inputIdentityRegexp  = "certificate-identity-regexp"
	inputIssuer          = "certificate-oidc-issuer"
	inputPublicKey       = "public-key"
	inputTrustedRoot     = "trusted-root"
	inputDeny            = "deny"
	inputLicenses        = "allowed-licenses"
	inputTimeout         = "timeout"
)

// The gate's own outputs.
const (
	outputPlatforms     = "platforms"
	outputComponents    = "components"
	outputDifferences   = "differences"
	outputAdded         = "added"
	outputRemoved       = "removed"
	outputUpgraded      = "upgraded"
	outputDowngraded    = "downgraded"
	outputLicenseChange = "license-changes"
	outputUpdate        = "update"
	outputVulns         = "vulnerabilities"
	outputBlocking      = "blocking"
	outputCovered       = "covered"
	outputMaxRisk       = "max-risk"
	outputKEVDate       = "kev-date"
	outputEPSSDate      = "epss-date"
)

// The public feeds' URLs, the defaults of the kev and epss inputs.
const (
	KEVURL  = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
	EPSSURL = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
)

const actionsIssuer = "https://token.actions.githubusercontent.com"

// The diff rules the deny input can name.
var denyValues = map[string]string{"downgrade": RuleDiffDowngrade, "license": RuleDiffLicense, "vulnerable": RuleDiffVulnerable}

// Gate is sbom-gate as a hub gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "SBOM parity across platforms, SBOM diff, and a KEV/EPSS risk gate waived only by signed VEX",
		Description: "Three SBOM controls in one gate. parity checks that the per-platform SBOMs of one release list the same components, architecture qualifiers aside. " +
			"diff compares a base and a head SBOM (a dependency update, Dependabot's and Renovate's included): added, removed, upgraded and downgraded components and licence changes, denying on the rules you choose. " +
			"risk scores every vulnerability of a scanner report from 0 to 10 (its CVSS base score, raised when it is in CISA's KEV catalogue and when its EPSS probability or percentile passes thresholds) and denies each one at or above the threshold that no signed VEX statement covers. " +
			"SPDX 2.3 and CycloneDX 1.4-1.6 JSON, grype, trivy, osv-scanner and CycloneDX vulnerability reports, OpenVEX, CycloneDX VEX and CSAF VEX are read; components are keyed by normalized package URL.",
		Inputs: append([]gate.Input{
			gate.OperationInput("parity: the SBOMs of one release's platforms must list the same components. diff: what changed between a base and a head SBOM. risk: every vulnerability at or above risk-threshold must be covered by signed VEX.",
				OpParity, OpDiff, OpRisk),
			{Name: inputSBOMs, Kind: gate.List,
				Description: "parity: the SBOM of each platform, one per line, as platform=path (linux/arm64=sbom-arm64.spdx.json) or as a path whose file name names the architecture (sbom-aarch64.spdx.json, sbom.amd64.cdx.json). Two or more."},
			{Name: inputImage, Kind: gate.String,
				Description: "parity, instead of sboms: an OCI image index (ghcr.io/acme/app:1.4.0 or @sha256:...) whose platform images carry their SBOMs as OCI referrers (SPDX or CycloneDX JSON artifacts, as hub-image --sbom and syft attach them). Credentials come from the Docker config; the registry is read within timeout."},
			{Name: inputBase, Kind: gate.Path, Description: "diff: the SBOM before the change (the pull request's base)."},
			{Name: inputHead, Kind: gate.Path, Description: "diff: the SBOM after the change (the pull request's head)."},
			{Name: inputSBOM, Kind: gate.Path, Description: "risk: the SBOM of the product under review. Its subject names the product VEX statements must speak for (see product), and a CycloneDX vulnerabilities section in it counts as a report."},
			{Name: inputVulnerabilities, Kind: gate.List,
				Description: "Vulnerability reports, one per line (doublestar globs allowed): grype JSON, trivy JSON, osv-scanner JSON or CycloneDX with a vulnerabilities section. risk: what is scored. diff: the head's findings, for the vulnerable rule."},
			{Name: inputKEV, Kind: gate.String, Default: KEVURL,
				Description: "CISA's Known Exploited Vulnerabilities catalogue (known_exploited_vulnerabilities.json): a workspace file, or a URL fetched within timeout. Read only when vulnerabilities are scored."},
			{Name: inputEPSS, Kind: gate.String, Default: EPSSURL,
				Description: "FIRST's EPSS scores CSV (epss_scores-current.csv, gzipped or not): a workspace file, or a URL fetched within timeout. Read only when vulnerabilities are scored."},
			{Name: inputFeedCache, Kind: gate.Path, AllowTemp: true,
				Description: "A directory for fetched KEV and EPSS files, one per feed, URL and UTC day: a run on the same day reads them instead of the network (restore and save it with actions/cache keyed by the date). Empty caches nothing."},
			{Name: inputThreshold, Kind: gate.String, Default: "7", Check: scoreInRange(0, 10),
				Description: "The risk score (0 to 10) at or above which a vulnerability must be covered by signed VEX."},
			{Name: inputKEVBonus, Kind: gate.String, Default: "3", Check: scoreInRange(0, 10),
				Description: "Points added to the CVSS base score of a vulnerability in the KEV catalogue."},
			{Name: inputEPSSBonus, Kind: gate.String, Default: "1.5", Check: scoreInRange(0, 10),
				Description: "Points added when the vulnerability's EPSS probability reaches epss-probability or its percentile reaches epss-percentile."},
			{Name: inputEPSSProbability, Kind: gate.String, Default: "0.1", Check: scoreInRange(0, 1),
				Description: "The EPSS probability of exploitation in the next 30 days (0 to 1) from which epss-bonus applies."},
			{Name: inputEPSSPercentile, Kind: gate.String, Default: "0.95", Check: scoreInRange(0, 1),
				Description: "The EPSS percentile (0 to 1) from which epss-bonus applies."},
			{Name: inputVEX, Kind: gate.List,
				Description: "VEX documents, one per line (doublestar globs allowed): OpenVEX, CycloneDX VEX or CSAF VEX, each signed into a Sigstore bundle beside it (<file>.sigstore.json), or Sigstore bundles of in-toto attestations with an OpenVEX predicate whose subject is the SBOM under review. Unsigned or wrongly signed documents are reported and ignored."},
			{Name: inputProduct, Kind: gate.List,
				Description: "Identifiers of the product VEX statements must name (package URLs, image references), one per line. Empty: the SBOM's subject (CycloneDX metadata.component, SPDX's described package). A statement naming the vulnerable package itself counts as well."},
			{Name: inputIdentity, Kind: gate.String,
				Description: "Keyless VEX signatures: the exact certificate identity allowed to sign, for Actions https://github.com/<owner>/<repo>/.github/workflows/<file>@<ref>. One of certificate-identity, certificate-identity-regexp and public-key is needed when vex is given."},
			{Name: inputIdentityRegexp, Kind: gate.String, Check: validRegexp,
				Description: "Keyless VEX signatures: a regular expression (Go syntax) the certificate identity must match; anchor it with ^ and $."},
			{Name: inputIssuer, Kind: gate.String, Default: actionsIssuer,
				Description: "Keyless VEX signatures: the OIDC issuer the certificate must name."},
			{Name: inputPublicKey, Kind: gate.String,
				Description: "Accept VEX signed by this key (PEM, the contents of cosign.pub) instead of keyless signatures."},
			{Name: inputTrustedRoot, Kind: gate.Path, AllowTemp: true,
				Description: "A Sigstore trusted_root.json: keyless VEX signatures are verified against it with no network call. Empty fetches the public-good root through TUF within timeout."},
			{Name: inputDeny, Kind: gate.List, Default: "downgrade,license,vulnerable", Check: validDeny,
				Description: "diff: the rules that deny: downgrade (a component's version goes down), license (a new or changed component's licence is not in allowed-licenses), vulnerable (a new or upgraded component has a vulnerability at or above risk-threshold). The others are reported at low severity."},
			{Name: inputLicenses, Kind: gate.List,
				Description: "diff: the licences (SPDX identifiers) added or changed components may carry; an expression passes when its OR branches offer one allowed choice and every AND part is allowed. Empty: licences are reported, never denied."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "60s",
				Description: "Longest time for fetching KEV, EPSS, the Sigstore trusted root and the image's SBOMs; when it passes with nothing usable the run ends undecided (exit 3) naming what did not answer."},
		}, waiver.Inputs()...),
		Outputs: []gate.Output{
			{Name: outputPlatforms, Description: "parity: the number of platforms compared."},
			{Name: outputComponents, Description: "parity: the components each platform's SBOM lists, one platform=count per line. diff: the head's component count."},
			{Name: outputDifferences, Description: "parity: the number of components not alike on every platform, waived ones included."},
			{Name: outputAdded, Description: "diff: components in head only."},
			{Name: outputRemoved, Description: "diff: components in base only."},
			{Name: outputUpgraded, Description: "diff: components whose version went up."},
			{Name: outputDowngraded, Description: "diff: components whose version went down."},
			{Name: outputLicenseChange, Description: "diff: components whose licences changed."},
			{Name: outputUpdate, Description: "diff: the update a Dependabot or Renovate pull request says it makes (\"dependabot: bump lodash from 4.17.20 to 4.17.21\"), empty for other events."},
			{Name: outputVulns, Description: "risk: vulnerabilities scored (after merging the reports' duplicates)."},
			{Name: outputBlocking, Description: "risk: vulnerabilities at or above risk-threshold that no signed VEX covers."},
			{Name: outputCovered, Description: "risk: vulnerabilities at or above risk-threshold covered by signed VEX."},
			{Name: outputMaxRisk, Description: "risk: the highest risk score, one decimal."},
			{Name: outputKEVDate, Description: "The date of the KEV catalogue used, when one was read."},
			{Name: outputEPSSDate, Description: "The date of the EPSS scores used, when they were read."},
		},
		Rules: gateRules,
	},
	Run: run,
}

// opResult is what an operation found.
type opResult struct {
	findings []finding.Finding
	outputs  map[string]string
	details  string
	reason   string
	read     []evidence.Artifact
	counters map[string]int64
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	setup, err := waiver.FromInputs(in, gateName, gateRules)
	if err != nil {
		return nil, err
	}
	if err := checkVulnWaivers(setup); err != nil {
		return nil, gate.BadConfig(err)
	}
	var op *opResult
	switch in.String(gate.InputOperation) {
	case OpParity:
		op, err = runParity(ctx, in)
	case OpDiff:
		op, err = runDiff(ctx, in)
	case OpRisk:
		op, err = runRisk(ctx, in)
	}
	if err != nil {
		return nil, err
	}
	fs := applyWaivers(op.findings, setup)
	res := &gate.Result{Findings: fs, Outputs: op.outputs, Details: op.details, Counters: op.counters,
		Read: append(setup.Read, op.read...)}
	denying := finding.CountAtLeast(fs, finding.High)
	res.Denied = denying > 0
	res.Reason = op.reason
	if waived := countWaived(fs); waived > 0 {
		res.Reason += fmt.Sprintf(" %d waived finding%s not counted.", waived, plural(waived))
	}
	return res, nil
}

// applyWaivers applies the configuration's rule settings and waivers to
// every finding but the vulnerability ones, which only signed VEX waives.
func applyWaivers(fs []finding.Finding, s *waiver.Setup) []finding.Finding {
	var vuln, rest []finding.Finding
	for _, f := range fs {
		if isVulnRule(f.Rule) {
			vuln = append(vuln, f)
		} else {
			rest = append(rest, f)
		}
	}
	rest = s.Gate.Adjust(rest)
	rest, meta := s.Policy.Apply(rest, s.Gate.Waivers, nil)
	return append(append(vuln, rest...), s.Gate.Adjust(meta)...)
}

func isVulnRule(id string) bool { return id == RuleRiskBlocking || id == RuleDiffVulnerable }

// errVulnWaiver is wrapped when the configuration tries to waive or tune a
// vulnerability rule.
var errVulnWaiver = errors.New("only signed VEX waives a vulnerability")

// checkVulnWaivers refuses rule settings and waivers that name a
// vulnerability rule.
func checkVulnWaivers(s *waiver.Setup) error {
	var errs []error
	for _, r := range s.Gate.Rules {
		if isVulnRule(r.Rule) {
			errs = append(errs, &waiver.ParseError{Path: r.Source.Path, Line: r.Source.Line,
				Err: fmt.Errorf("%w: %s.rules.%s cannot be turned off or down; publish a signed VEX statement instead", errVulnWaiver, gateName, r.Rule)})
		}
	}
	for _, w := range s.Gate.Waivers {
		if isVulnRule(w.Rule) {
			errs = append(errs, &waiver.ParseError{Path: w.Source.Path, Line: w.Source.Line,
				Err: fmt.Errorf("%w: a waiver for rule %q is refused; publish a signed VEX statement instead", errVulnWaiver, w.Rule)})
		}
	}
	return errors.Join(errs...)
}

func countWaived(fs []finding.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Suppressed() {
			n++
		}
	}
	return n
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// scoreInRange checks a number input lies in [lo, hi].
func scoreInRange(lo, hi float64) func(any) error {
	return func(v any) error {
		f, err := strconv.ParseFloat(strings.TrimSpace(v.(string)), 64)
		if err != nil || f < lo || f > hi {
			return fmt.Errorf("want a number from %g to %g", lo, hi)
		}
		return nil
	}
}

// number reads a checked number input.
func number(in *gate.Inputs, name string) float64 {
	f, _ := strconv.ParseFloat(strings.TrimSpace(in.String(name)), 64)
	return f
}

func validDeny(v any) error {
	for _, d := range v.([]string) {
		if _, ok := denyValues[d]; !ok {
			return fmt.Errorf("want downgrade, license or vulnerable, got %q", excerpt(d))
		}
	}
	return nil
}

// timeoutCtx bounds the network work of a run by the timeout input.
func timeoutCtx(ctx context.Context, in *gate.Inputs) (context.Context, context.CancelFunc) {
	d := in.Duration(inputTimeout)
	if d <= 0 {
		d = time.Minute
	}
	return context.WithTimeoutCause(ctx, d, fmt.Errorf("the timeout input (%s) passed", in.Raw(inputTimeout)))
}
