package evidencegate

import (
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
)

func record(gate, verdict string, finished time.Time) Collected {
	return Collected{Path: "evidence/" + gate + ".json", Digest: digest.FromBytes(digest.SHA256, []byte(gate)),
		Record: evidence.Record{SchemaVersion: 1, Gate: gate, Version: "v1.0.0", Mode: "enforce", Verdict: verdict,
			Inputs: map[string]string{"mode": "enforce"}, Repository: "acme/app", SHA: "abc",
			Findings: []finding.Finding{{Rule: "r", Severity: finding.Low, Suppression: &finding.Suppression{Kind: "external"}}},
			Started:  finished.Add(-time.Second), Finished: finished}}
}

// A statement built from passing records matches the schema; the same
// statement edited to carry a failed gate, or an unknown field, does not.
func TestStatementMatchesSchema(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	p := Policy{Required: []string{"sign"}, MaxAge: time.Hour, Repository: "acme/app", SHA: "abc", Now: now,
		Subjects: []Subject{{Name: "dist/app", Digest: map[string]string{"sha256": strings.Repeat("a", 64)}}}}
	recs := []Collected{record("sign", "passed", now.Add(-time.Minute)), record("sbom-gate", "passed", now.Add(-2*time.Minute))}
	if fs := Check(p, recs); len(fs) != 0 {
		t.Fatalf("findings: %v", fs)
	}
	st := Build(p, Run{Repository: "acme/app", Workflow: "w", Ref: "r", SHA: "abc", RunID: "1", URL: "https://github.com/acme/app/actions/runs/1"},
		recs, p.Subjects, nil, []Dashboard{{Name: "canary", URL: "https://grafana.example/d/x?a=1&b=2"}})
	b, err := Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateStatement(b); err != nil {
		t.Fatalf("a built statement does not match the schema: %v", err)
	}
	if st.Predicate.Gates[0].Name != "sbom-gate" || st.Predicate.Gates[1].Findings.Waived != 1 || st.Predicate.Gates[1].Findings.BySeverity["low"] != 1 {
		t.Errorf("gates: %+v", st.Predicate.Gates)
	}
	for name, edit := range map[string][2]string{
		"failed gate":   {`"verdict":"passed"`, `"verdict":"denied"`},
		"unknown field": {`"dashboards":[`, `"extra":1,"dashboards":[`},
		"bad digest":    {strings.Repeat("a", 64), strings.Repeat("A", 64)},
		"http link":     {`"url":"https://grafana`, `"url":"http://grafana`},
	} {
		bad := strings.Replace(string(b), edit[0], edit[1], 1)
		if bad == string(b) {
			t.Fatalf("%s: edit did not apply", name)
		}
		if err := ValidateStatement([]byte(bad)); err == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}

// Each way a record can break the policy is its own rule.
func TestCheckRules(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	base := Policy{MaxAge: time.Hour, Repository: "acme/app", SHA: "abc", Now: now,
		Subjects: []Subject{{Name: "s", Digest: map[string]string{"sha256": strings.Repeat("b", 64)}}}}
	for _, tc := range []struct {
		name string
		edit func(*Policy, *Collected)
		rule string
	}{
		{"failed", func(_ *Policy, c *Collected) { c.Record.Verdict, c.Record.ExitCode = "denied", 1 }, RuleFailed},
		{"warn-denied", func(_ *Policy, c *Collected) { c.Record.Verdict, c.Record.Mode = "denied", "warn" }, RuleFailed},
		{"missing", func(p *Policy, _ *Collected) { p.Required = []string{"sign", "workflow-audit"} }, RuleMissing},
		{"other-sha", func(_ *Policy, c *Collected) { c.Record.SHA = "def" }, RuleOtherRun},
		{"other-repo", func(_ *Policy, c *Collected) { c.Record.Repository = "evil/app" }, RuleOtherRun},
		{"stale", func(_ *Policy, c *Collected) { c.Record.Finished = now.Add(-2 * time.Hour) }, RuleStale},
		{"future", func(_ *Policy, c *Collected) { c.Record.Finished = now.Add(time.Hour) }, RuleStale},
		{"other-subject", func(p *Policy, _ *Collected) { p.SubjectGates = []string{"sign"} }, RuleOtherSubject},
		{"unreadable", func(_ *Policy, c *Collected) { c.Err = errFake }, RuleUnreadable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			p.Required = []string{"sign"}
			c := record("sign", "passed", now.Add(-time.Minute))
			if fs := Check(p, []Collected{c}); len(fs) != 0 {
				t.Fatalf("the untouched record has findings: %v", fs)
			}
			tc.edit(&p, &c)
			fs := Check(p, []Collected{c})
			if len(fs) == 0 || fs[0].Rule != tc.rule {
				t.Fatalf("findings %v, want %s", fs, tc.rule)
			}
		})
	}
}

var errFake = fakeErr("is not JSON")

type fakeErr string

func (e fakeErr) Error() string { return string(e) }
