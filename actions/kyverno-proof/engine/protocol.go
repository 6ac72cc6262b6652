package main

// Request is what the gate sends on standard input.
type Request struct {
	// Policies are the Kyverno ClusterPolicy and Policy documents, as
	// JSON, with where each was read.
	Policies []PolicyDoc `json:"policies"`
	// Image is the repository the probe images pretend to come from: one
	// the policies allow (ghcr.io/acme/app).
	Image string `json:"image"`
	// ForeignImage is a repository outside the allowed registries.
	ForeignImage string `json:"foreignImage"`
	// Namespace is the namespace of the probe pods.
	Namespace string `json:"namespace"`
	// Probes names the probes to run; empty runs them all.
	Probes []string `json:"probes,omitempty"`
}

// PolicyDoc is one policy document.
type PolicyDoc struct {
	File     string         `json:"file"`
	Document int            `json:"document"`
	Object   map[string]any `json:"object"`
}

// Response is what the engine writes on standard output.
type Response struct {
	// Error, when set, means the engine could not run the probes.
	Error *Error `json:"error,omitempty"`
	// Substitutions says what was changed in the policies so the probes
	// can be signed offline.
	Substitutions []string `json:"substitutions,omitempty"`
	// Probes are the verdicts, in the order they ran.
	Probes []ProbeResult `json:"probes,omitempty"`
	// KyvernoVersion is the engine's Kyverno module version.
	KyvernoVersion string `json:"kyvernoVersion"`
}

// Error is a failure of the whole run. Kind "policy" means a policy that
// Kyverno cannot read (bad input); "internal" anything else.
type Error struct {
	Kind    string `json:"kind"`
	File    string `json:"file,omitempty"`
	Message string `json:"message"`
}

// ProbeResult is one probe's verdict.
type ProbeResult struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// MustBe is "denied" or "admitted".
	MustBe string `json:"mustBe"`
	// Verdict is "denied" or "admitted", as Kyverno's admission webhook
	// would answer.
	Verdict string `json:"verdict"`
	// Image is the container image the probe pod runs.
	Image string `json:"image"`
	// By lists the rules that decided a denial: fail or error results of
	// policies that block.
	By []RuleResult `json:"by,omitempty"`
	// Rules lists every rule result that was not a skip.
	Rules []RuleResult `json:"rules,omitempty"`
}

// RuleResult is one rule's answer to one probe.
type RuleResult struct {
	Policy  string `json:"policy"`
	Rule    string `json:"rule"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}
