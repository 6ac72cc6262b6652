package evidencegate

import (
	"fmt"
	"slices"
	"time"

	"github.com/hubgates/hub/shared/finding"
)

// The rules of the evidence gate.
const (
	RuleMissing      = "gate-missing"
	RuleFailed       = "gate-failed"
	RuleUnreadable   = "record-unreadable"
	RuleOtherRun     = "record-other-run"
	RuleOtherSubject = "record-other-subject"
	RuleStale        = "record-stale"
	RuleUnsigned     = "record-unsigned"
)

// Rules lists the gate's rules.
var Rules = []finding.Rule{
	{ID: RuleMissing, Severity: finding.High, Summary: "A required gate left no evidence record.",
		Help: "Run the gate in this workflow with evidence-dir set to the folder the evidence gate reads (or upload its record as an artifact and download it there)."},
	{ID: RuleFailed, Severity: finding.High, Summary: "A gate's record says it did not pass.",
		Help: "A release is signed only when every gate passed: fix what the gate found, or waive it in the gate's own configuration. A gate in warn mode that denied counts as failed."},
	{ID: RuleUnreadable, Severity: finding.High, Summary: "A file of the records folder is not a usable evidence record.",
		Help: "Keep only gate evidence records (and their .sigstore.json bundles) in the folder; a record cannot be checked if it cannot be read."},
	{ID: RuleOtherRun, Severity: finding.High, Summary: "A record was written for another repository or commit.",
		Help: "Records must come from gates that ran on this commit of this repository; clear the folder of records of earlier runs."},
	{ID: RuleOtherSubject, Severity: finding.High, Summary: "A gate that must check the release's subjects read none of them.",
		Help: "The gates listed in subject-gates must have read at least one of the release's artifacts or images (by digest): run them on the artifacts being released."},
	{ID: RuleUnsigned, Severity: finding.High, Summary: "A record that must be signed carries no bundle that verifies for record-identity.",
		Help: "Sign the record in the job that ran the gate (the sign gate over the evidence file) and keep <record>.sigstore.json beside it."},
	{ID: RuleStale, Severity: finding.High, Summary: "A record is older than max-record-age, or dated in the future.",
		Help: "Run the gate again in this release run; evidence of an old run does not vouch for this one."},
}

// Policy is what the records must satisfy.
type Policy struct {
	// Required are the gates that must have a record.
	Required []string
	// SubjectGates are the gates whose records must name one of the
	// Subjects' digests among what they read.
	SubjectGates []string
	// MaxAge bounds how long before Now a record may have finished.
	MaxAge time.Duration
	// Repository and SHA are the run's; a record naming others is of
	// another run. Empty values are not compared.
	Repository, SHA string
	// Subjects are the release's subjects.
	Subjects []Subject
	// Now is the time of the check.
	Now time.Time
}

// clockSkew is how far in the future a record may be dated: the runner's
// clock and the one of a job on another machine differ a little.
const clockSkew = 5 * time.Minute

// Check returns a finding for every record that breaks p, and for every
// required gate without a record. Every record counts, required or not:
// a release is not signed over a failed gate's record.
func Check(p Policy, recs []Collected) []finding.Finding {
	var out []finding.Finding
	add := func(rule, path, key, format string, args ...any) {
		out = append(out, finding.Finding{Rule: rule, Severity: finding.High, Message: fmt.Sprintf(format, args...),
			Path: path, Fingerprint: finding.Fingerprint(rule, path, key)})
	}
	seen := map[string]bool{}
	for _, c := range recs {
		if c.Err != nil {
			add(RuleUnreadable, c.Path, "", "%s %v", c.Path, c.Err)
			continue
		}
		r := c.Record
		seen[r.Gate] = true
		if c.Unsigned != nil {
			add(RuleUnsigned, c.Path, r.Gate, "record of gate %s must be signed: %v", r.Gate, c.Unsigned)
		}
		if r.Verdict != "passed" || r.ExitCode != 0 {
			why := ""
			if r.Reason != "" {
				why = ": " + r.Reason
			}
			add(RuleFailed, c.Path, r.Gate, "gate %s did not pass: expected verdict %q, got %q (mode %s, exit %d)%s", r.Gate, "passed", r.Verdict, r.Mode, r.ExitCode, why)
		}
		if p.Repository != "" && r.Repository != p.Repository {
			add(RuleOtherRun, c.Path, r.Gate+"/repo", "record of gate %s is of another repository: expected %q, got %q", r.Gate, p.Repository, r.Repository)
		}
		if p.SHA != "" && r.SHA != p.SHA {
			add(RuleOtherRun, c.Path, r.Gate+"/sha", "record of gate %s is of another commit: expected %q, got %q", r.Gate, p.SHA, r.SHA)
		}
		if slices.Contains(p.SubjectGates, r.Gate) && !readsSubject(r.Read, p.Subjects) {
			add(RuleOtherSubject, c.Path, r.Gate, "gate %s read none of the release's %d subject%s: expected one of %s, got %s", r.Gate, len(p.Subjects), plural(len(p.Subjects)), subjectDigests(p.Subjects), readDigests(r))
		}
		switch {
		case r.Finished.IsZero():
			add(RuleStale, c.Path, r.Gate, "record of gate %s has no finish time", r.Gate)
		case p.Now.Sub(r.Finished) > p.MaxAge:
			add(RuleStale, c.Path, r.Gate, "record of gate %s is %s old, more than max-record-age %s (finished %s)", r.Gate, p.Now.Sub(r.Finished).Round(time.Second), p.MaxAge, r.Finished.UTC().Format(time.RFC3339))
		case r.Finished.Sub(p.Now) > clockSkew:
			add(RuleStale, c.Path, r.Gate, "record of gate %s is dated in the future (finished %s)", r.Gate, r.Finished.UTC().Format(time.RFC3339))
		}
	}
	for _, g := range p.Required {
		if !seen[g] {
			add(RuleMissing, "", g, "required gate %s left no evidence record", g)
		}
	}
	return out
}

// readsSubject reports whether one of the artifacts read has a subject's
// SHA-256.
func readsSubject(read []evidenceArtifact, subjects []Subject) bool {
	for _, a := range read {
		for _, s := range subjects {
			if a.Digest == "sha256:"+s.Digest["sha256"] {
				return true
			}
		}
	}
	return false
}
