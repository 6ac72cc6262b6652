package evidencegate

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/gate"
)

// runIdentity reads the run's identity from the runner's environment.
func runIdentity(env gate.Env) Run {
	r := Run{Repository: env.Repository, Ref: env.Ref, SHA: env.SHA, RunID: env.RunID,
		Workflow: cmp.Or(env.Getenv("GITHUB_WORKFLOW_REF"), env.Getenv("GITHUB_WORKFLOW")), RunAttempt: env.Getenv("GITHUB_RUN_ATTEMPT")}
	if r.Repository != "" && r.RunID != "" {
		r.URL = strings.TrimSuffix(env.ServerURL, "/") + "/" + r.Repository + "/actions/runs/" + r.RunID
		if r.RunAttempt != "" {
			r.URL += "/attempts/" + r.RunAttempt
		}
	}
	return r
}

// Build makes the statement of records that passed p.
func Build(p Policy, run Run, recs []Collected, subjects []Subject, images map[string]string, dashboards []Dashboard) Statement {
	gates := make([]GateRun, 0, len(recs))
	for _, c := range recs {
		r := c.Record
		// The inputs are hashed as JSON with sorted keys, so the same
		// inputs always give the same digest.
		in, _ := json.Marshal(r.Inputs)
		g := GateRun{Name: r.Gate, Version: r.Version, Image: images[r.Gate], Mode: r.Mode, Verdict: r.Verdict, ExitCode: r.ExitCode,
			InputsDigest: digest.FromBytes(digest.SHA256, in).String(), Started: r.Started.UTC(), Finished: r.Finished.UTC(),
			Record:   FileDigest{Path: c.Path, Digest: c.Digest.String()},
			Findings: FindingCounts{Total: len(r.Findings), BySeverity: map[string]int{}}}
		for _, f := range r.Findings {
			g.Findings.BySeverity[f.Severity.String()]++
			if f.Suppressed() {
				g.Findings.Waived++
			}
		}
		gates = append(gates, g)
	}
	slices.SortStableFunc(gates, func(a, b GateRun) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), a.Started.Compare(b.Started))
	})
	if dashboards == nil {
		dashboards = []Dashboard{}
	}
	return Statement{
		Type: StatementType, Subject: subjects, PredicateType: PredicateType,
		Predicate: Predicate{
			Created: p.Now.UTC(), Run: run, Gates: gates, Dashboards: dashboards,
			Policy: PolicyRecord{RequiredGates: orEmpty(p.Required), SubjectGates: orEmpty(p.SubjectGates), MaxRecordAge: p.MaxAge.String()},
		},
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Marshal encodes st as compact JSON without HTML escaping, so a URL's
// "&" stays one in the signed statement.
func Marshal(st Statement) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return nil, fmt.Errorf("encoding the statement: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
