package evidencegate

import (
	"time"
)

// The in-toto statement the gate signs.
const (
	// StatementType is the in-toto Statement version written.
	StatementType = "https://in-toto.io/Statement/v1"
	// PredicateType names (and versions) hub's evidence predicate; its
	// JSON Schema is schema/evidence-v1.schema.json. A change that a v1
	// reader would misread gets a new version.
	PredicateType = "https://hubgates.github.io/hub/evidence/v1"
	// ArtifactType is the OCI artifact type of the referrer attached to
	// each image: a Sigstore bundle, as cosign's bundle format attaches
	// one; its manifest annotation PredicateTypeAnnotation holds
	// PredicateType, so readers skip other bundles without fetching them.
	ArtifactType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// PredicateTypeAnnotation is the referrer manifest's annotation
	// naming the predicate type (cosign's bundle specification).
	PredicateTypeAnnotation = "dev.sigstore.bundle.predicateType"
)

// Statement is an in-toto Statement v1 carrying the evidence predicate.
type Statement struct {
	Type          string    `json:"_type"`
	Subject       []Subject `json:"subject"`
	PredicateType string    `json:"predicateType"`
	Predicate     Predicate `json:"predicate"`
}

// Subject is a release artifact or image, by digest.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Predicate is hub's evidence of one release run.
type Predicate struct {
	// Created is when the statement was made.
	Created time.Time `json:"created"`
	// Run is the workflow run the gates ran in.
	Run Run `json:"run"`
	// Policy is what the records were checked against.
	Policy PolicyRecord `json:"policy"`
	// Gates are the gate runs, one per record, by gate name then start.
	Gates []GateRun `json:"gates"`
	// Dashboards are the links given as inputs, templated with the run.
	Dashboards []Dashboard `json:"dashboards"`
}

// Run identifies a GitHub Actions workflow run.
type Run struct {
	Repository string `json:"repository"`
	Workflow   string `json:"workflow"`
	Ref        string `json:"ref"`
	SHA        string `json:"sha"`
	RunID      string `json:"runId"`
	RunAttempt string `json:"runAttempt,omitempty"`
	URL        string `json:"url"`
}

// PolicyRecord is the required-gates policy the records passed.
type PolicyRecord struct {
	RequiredGates []string `json:"requiredGates"`
	SubjectGates  []string `json:"subjectGates"`
	MaxRecordAge  string   `json:"maxRecordAge"`
}

// GateRun is one gate's evidence record, summarised.
type GateRun struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Image is the gate's container image by digest, when given.
	Image        string        `json:"image,omitempty"`
	Mode         string        `json:"mode"`
	Verdict      string        `json:"verdict"`
	ExitCode     int           `json:"exitCode"`
	Findings     FindingCounts `json:"findings"`
	InputsDigest string        `json:"inputsDigest"`
	Started      time.Time     `json:"started"`
	Finished     time.Time     `json:"finished"`
	// Record is the evidence file the summary was made from.
	Record FileDigest `json:"record"`
}

// FindingCounts counts a gate's findings.
type FindingCounts struct {
	Total      int            `json:"total"`
	Waived     int            `json:"waived"`
	BySeverity map[string]int `json:"bySeverity"`
}

// FileDigest names a file by path and digest.
type FileDigest struct {
	Path   string `json:"path"`
	Digest string `json:"digest"`
}

// Dashboard is a link a reviewer follows: canary, DR, mutation or cost.
type Dashboard struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}
