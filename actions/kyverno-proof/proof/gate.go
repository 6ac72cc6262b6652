package proof

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

const gateName = "kyverno-proof"

// The gate's inputs and outputs.
const (
	inputPolicies        = "policies"
	inputImage           = "image"
	inputForeignImage    = "foreign-image"
	inputNamespace       = "namespace"
	inputAllowedExcludes = "allowed-excludes"
	inputProbes          = "probes"
	inputEngine          = "engine"
	inputTimeout         = "timeout"

	outputPolicies       = "policies"
	outputProbesHeld     = "probes-held"
	outputProbesBroken   = "probes-broken"
	outputKyvernoVersion = "kyverno-version"
)

// The rules the gate's findings carry.
const (
	RuleAuditMode       = "kyverno-audit-mode"
	RuleFailOpen        = "kyverno-fail-open"
	RuleBroadExclude    = "kyverno-broad-exclude"
	RuleBackgroundOff   = "kyverno-background-off"
	RuleProbeAdmitted   = "kyverno-probe-admitted"
	RuleReferenceDenied = "kyverno-reference-denied"
)

const helpBase = "https://github.com/hubgates/hub/blob/main/actions/kyverno-proof/README.md"

// Rules are the gate's rules, for SARIF.
var Rules = []finding.Rule{
	{ID: RuleAuditMode, Severity: finding.High, Summary: "A validate or verifyImages rule is in Audit mode: it reports, it does not deny.",
		Help: "Set failureAction: Enforce on the rule (or validationFailureAction: Enforce on the policy) and drop Audit overrides.", HelpURI: helpBase + "#rules"},
	{ID: RuleFailOpen, Severity: finding.High, Summary: "The policy's webhook fails open (failurePolicy Ignore).",
		Help: "Set failurePolicy: Fail, so a request Kyverno cannot answer is refused.", HelpURI: helpBase + "#rules"},
	{ID: RuleBroadExclude, Severity: finding.High, Summary: "A rule excludes namespaces, subjects or roles the allowlist does not name, or excludes by label selector.",
		Help: "Exclude only what allowed-excludes names (kube-system, the Kyverno namespace), or add the name there after review.", HelpURI: helpBase + "#rules"},
	{ID: RuleBackgroundOff, Severity: finding.Medium, Summary: "Background scanning or admission is turned off for the policy.",
		Help: "Leave background and admission at their default, true.", HelpURI: helpBase + "#rules"},
	{ID: RuleProbeAdmitted, Severity: finding.Critical, Summary: "Kyverno's engine admitted a probe request the policies must deny.",
		Help: "Add or fix the rule that must deny this request; the summary lists every rule's answer.", HelpURI: helpBase + "#probes"},
	{ID: RuleReferenceDenied, Severity: finding.High, Summary: "Kyverno's engine denied the reference request (a signed, attested image by digest) the policies must admit.",
		Help: "A policy set that denies everything proves nothing: fix the rules that denied it.", HelpURI: helpBase + "#probes"},
}

// Gate is the kyverno-proof gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "prove Kyverno admission policies deny by default, offline",
		Description: "Proves, offline and with no cluster, that Kyverno ClusterPolicy and Policy documents deny by default: " +
			"every validate and verifyImages rule in Enforce, the webhook failing closed, no exclude broader than an allowlist, background scanning on; " +
			"then Kyverno's own engine answers probe admission requests that must be denied (an image by tag only, without a valid signature, without provenance, " +
			"without an SBOM attestation, from a registry outside the allowlist, a privileged container, a hostPath mount) and a signed, attested image by digest that must be admitted. " +
			"Each probe's verdict, and the rules that decided it, is evidence.",
		Inputs: []gate.Input{
			{Name: inputPolicies, Kind: gate.List, Required: true,
				Description: "Kyverno policy files, directories (searched for *.yaml, *.yml and *.json) or doublestar globs, relative to the workspace. Documents of other kinds are skipped."},
			{Name: inputImage, Kind: gate.String, Required: true, Check: checkRepository,
				Description: "The image repository the probe images pretend to come from, one the policies allow (ghcr.io/acme/app): the reference probe must be admitted from it."},
			{Name: inputForeignImage, Kind: gate.String, Default: "untrusted.example/hub-probe/app", Check: checkRepository,
				Description: "An image repository outside the allowed registries, for the probe that must be denied for its registry."},
			{Name: inputNamespace, Kind: gate.String, Default: "default",
				Description: "The namespace of the probe pods."},
			{Name: inputAllowedExcludes, Kind: gate.List, Default: "kube-system,kyverno",
				Description: "The namespaces, users, groups, service accounts (system:serviceaccount:<namespace>:<name>) and roles a rule may exclude."},
			{Name: inputProbes, Kind: gate.List, Check: checkProbes,
				Description: "The probes to run (" + strings.Join(allProbes, ", ") + "). Empty runs them all; the reference always runs."},
			{Name: inputEngine, Kind: gate.String, Default: DefaultEngine,
				Description: "The kyverno-engine program: the gate's image ships it at " + DefaultEngine + "; elsewhere build it from actions/kyverno-proof/engine and give its path."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "5m",
				Description: "How long the engine may take to answer every probe; past it the gate cannot decide (exit 3)."},
		},
		Outputs: []gate.Output{
			{Name: outputPolicies, Description: "Number of Kyverno policies read."},
			{Name: outputProbesHeld, Description: "Number of probes answered as they must be."},
			{Name: outputProbesBroken, Description: "Number of probes answered wrongly: a request admitted that must be denied, or the reference denied."},
			{Name: outputKyvernoVersion, Description: "The Kyverno version whose engine answered."},
		},
		Rules: Rules,
	},
	Run: run,
}

// DefaultEngine is where the gate's image keeps kyverno-engine.
const DefaultEngine = "/kyverno-proof-engine"

// allProbes are the probe names the engine knows, reference first.
var allProbes = []string{"reference", "tag-only", "unsigned", "no-provenance", "no-sbom", "foreign-registry", "privileged", "host-path"}

func checkProbes(v any) error {
	for _, p := range v.([]string) {
		if !containsStr(allProbes, p) {
			return fmt.Errorf("unknown probe %q (known: %s)", p, strings.Join(allProbes, ", "))
		}
	}
	return nil
}

func containsStr(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	docs, read, skipped, err := readPolicies(in.Workspace(), in.List(inputPolicies))
	if err != nil {
		return nil, err
	}
	allowed := in.List(inputAllowedExcludes)
	var fs []finding.Finding
	for _, d := range docs {
		fs = append(fs, staticFindings(d, allowed)...)
	}
	probes := in.List(inputProbes)
	if len(probes) > 0 && !containsStr(probes, "reference") {
		probes = append([]string{"reference"}, probes...)
	}
	req := engineRequest{Image: in.String(inputImage), ForeignImage: in.String(inputForeignImage), Namespace: in.String(inputNamespace), Probes: probes}
	for _, d := range docs {
		req.Policies = append(req.Policies, enginePolicy{File: d.file, Document: d.document, Object: d.object})
	}
	ectx, cancel := context.WithTimeout(ctx, in.Duration(inputTimeout))
	defer cancel()
	resp, err := callEngine(ectx, in.String(inputEngine), req)
	if err != nil {
		var ne *engineNotFound
		if errors.As(err, &ne) {
			return nil, gate.BadInputf(inputEngine, in.Raw(inputEngine), "%v", ne.err)
		}
		if ectx.Err() != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("kyverno-engine did not answer within %v (input %q): %w", in.Duration(inputTimeout), inputTimeout, err)
		}
		return nil, err
	}
	held, broken := 0, 0
	for _, p := range resp.Probes {
		if p.Verdict == p.MustBe {
			held++
			continue
		}
		broken++
		fs = append(fs, probeFinding(p))
	}
	res := &gate.Result{
		Findings: fs,
		Read:     read,
		Outputs: map[string]string{
			outputPolicies:       strconv.Itoa(len(docs)),
			outputProbesHeld:     strconv.Itoa(held),
			outputProbesBroken:   strconv.Itoa(broken),
			outputKyvernoVersion: resp.KyvernoVersion,
		},
		Counters: map[string]int64{"policies": int64(len(docs)), "probes": int64(len(resp.Probes)), "probes_broken": int64(broken)},
		Facts:    proofFacts{Probes: resp.Probes, Substitutions: resp.Substitutions, KyvernoVersion: resp.KyvernoVersion},
	}
	res.Denied = len(fs) > 0
	switch {
	case broken > 0:
		res.Reason = fmt.Sprintf("%d of %d probes answered wrongly by Kyverno %s over %d policies; %d findings in all.", broken, len(resp.Probes), resp.KyvernoVersion, len(docs), len(fs))
	case len(fs) > 0:
		res.Reason = fmt.Sprintf("All %d probes held, but %d findings in how the %d policies are set to act.", len(resp.Probes), len(fs), len(docs))
	default:
		res.Reason = fmt.Sprintf("All %d probes held under Kyverno %s: %d policies deny by default.", len(resp.Probes), resp.KyvernoVersion, len(docs))
	}
	if skipped > 0 {
		res.Reason += fmt.Sprintf(" %d documents of other kinds skipped.", skipped)
	}
	res.Details = details(resp)
	return res, nil
}

// proofFacts is what the evidence records beside the findings: every
// probe's verdict and the rules that decided it.
type proofFacts struct {
	KyvernoVersion string        `json:"kyvernoVersion"`
	Probes         []probeResult `json:"probes"`
	Substitutions  []string      `json:"substitutions,omitempty"`
}

func probeFinding(p probeResult) finding.Finding {
	rule, msg := RuleProbeAdmitted, fmt.Sprintf("probe %s (%s: %s) was admitted: no enforced rule denied it", p.Name, p.Description, quote(p.Image))
	if p.MustBe == "admitted" {
		var by []string
		for _, r := range p.By {
			by = append(by, r.Policy+"/"+r.Rule)
		}
		rule, msg = RuleReferenceDenied, fmt.Sprintf("the reference probe (%s: %s) was denied by %s", p.Description, quote(p.Image), strings.Join(by, ", "))
	}
	return finding.Finding{Rule: rule, Severity: severity(rule), Message: msg, Fingerprint: finding.Fingerprint(rule, "", p.Name)}
}

func severity(rule string) finding.Severity {
	for _, r := range Rules {
		if r.ID == rule {
			return r.Severity
		}
	}
	return finding.High
}
