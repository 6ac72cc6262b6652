package audit

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/hubgates/hub/shared/finding"
)

// selfHostedUntrustedRule reports jobs that run on self-hosted runners in
// workflows people without write access can start.
type selfHostedUntrustedRule struct{}

func (selfHostedUntrustedRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleSelfHostedUntrusted,
		Severity: finding.High,
		Summary:  "Self-hosted runner used by a workflow outsiders can start",
		Help: "A self-hosted runner is a machine you keep: code from a fork's pull request, or a step fed an " +
			"outsider's issue or comment, runs on it with its network access and can leave a process or a " +
			"poisoned tool behind for the next job. Run fork-triggered workflows on GitHub-hosted runners " +
			"(ubuntu-24.04, windows-2025, macos-15 ...), and keep self-hosted runners for workflows only " +
			"collaborators start (push, workflow_dispatch, schedule), ideally ephemeral (--ephemeral) and in " +
			"a runner group limited to the repositories that need it. Only the \"self-hosted\" label is reported by " +
			"default; with the pedantic persona runner groups and labels that are not GitHub's standard ones " +
			"(which may be self-hosted, or larger and third-party hosted runners) are reported at medium.",
		HelpURI: helpBase + RuleSelfHostedUntrusted,
	}
}

// githubHostedRe matches the labels of GitHub-hosted runners, standard and
// larger: ubuntu-*, windows-*, macos-*.
var githubHostedRe = regexp.MustCompile(`(?i)^(ubuntu|windows|macos)-[a-z0-9][a-z0-9.-]*$`)

// matrixRefRe matches a runs-on expression that is one matrix value.
var matrixRefRe = regexp.MustCompile(`^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$`)

func (r selfHostedUntrustedRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	trigger := wf.forkTrigger()
	if trigger == "" {
		return
	}
	for _, j := range wf.jobs {
		if j.ast == nil || j.ast.RunsOn == nil {
			continue
		}
		r.checkJob(j, trigger, rep)
	}
}

func (selfHostedUntrustedRule) checkJob(j *job, trigger string, rep *reporter) {
	ro := j.ast.RunsOn
	id := j.id.value
	var unknown []scalar
	for _, l := range ro.Labels {
		if l == nil {
			continue
		}
		s := scalarOrEmpty(l)
		v := strings.TrimSpace(l.Value)
		switch {
		case strings.EqualFold(v, "self-hosted"):
			rep.report(finding.High, s.pos, "self-hosted:"+id, fmt.Sprintf("job %q runs on a self-hosted runner in a workflow that %s starts, so an outsider's code or input runs on your machine; use a GitHub-hosted runner (e.g. ubuntu-24.04) for this workflow", id, trigger))
			return
		case containsExpression(v):
			if vals := runnerMatrixValues(j, v); matrixHasSelfHosted(vals) {
				rep.report(finding.High, s.pos, "self-hosted:"+id, fmt.Sprintf("job %q runs on %s, and the matrix includes a self-hosted runner, in a workflow that %s starts; use GitHub-hosted runners for this workflow", id, v, trigger))
				return
			}
		case !githubHostedRe.MatchString(v):
			unknown = append(unknown, s)
		}
	}
	if ro.LabelsExpr != nil {
		if vals := runnerMatrixValues(j, ro.LabelsExpr.Value); matrixHasSelfHosted(vals) {
			s := scalarOrEmpty(ro.LabelsExpr)
			rep.report(finding.High, s.pos, "self-hosted:"+id, fmt.Sprintf("job %q runs on %s, and the matrix includes a self-hosted runner, in a workflow that %s starts; use GitHub-hosted runners for this workflow", id, ro.LabelsExpr.Value, trigger))
			return
		}
	}
	switch {
	case !rep.wants(PersonaPedantic):
		// Runner groups and labels the audit does not know are as often
		// larger GitHub-hosted runners (ubuntu-24.04-16core,
		// github-ubuntu-24.04-x86_64-8) or third-party hosted ones
		// (depot-*, blacksmith-*, namespace-profile-*) as self-hosted
		// machines: only the pedantic persona reports them.
	case ro.Group != nil && ro.Group.Value != "":
		s := scalarOrEmpty(ro.Group)
		rep.report(finding.Medium, s.pos, "group:"+id, fmt.Sprintf("job %q runs on runner group %q in a workflow that %s starts; groups hold self-hosted runners (or larger GitHub-hosted ones): if this one is self-hosted, move the workflow to GitHub-hosted runners", id, ro.Group.Value, trigger))
	case len(unknown) > 0:
		rep.report(finding.Medium, unknown[0].pos, "label:"+id, fmt.Sprintf("job %q runs on %q, which is not a GitHub-hosted runner label (ubuntu-*, windows-*, macos-*), in a workflow that %s starts; if it names a self-hosted runner, move the workflow to GitHub-hosted runners", id, unknown[0].value, trigger))
	}
}

// runnerMatrixValues returns the literal values of the matrix row a runs-on
// expression names ("${{ matrix.os }}"), including "include:" entries.
func runnerMatrixValues(j *job, expr string) []actionlint.RawYAMLValue {
	m := matrixRefRe.FindStringSubmatch(strings.TrimSpace(expr))
	if m == nil || j.ast.Strategy == nil || j.ast.Strategy.Matrix == nil {
		return nil
	}
	mx := j.ast.Strategy.Matrix
	key := strings.ToLower(m[1])
	var out []actionlint.RawYAMLValue
	if row := mx.Rows[key]; row != nil {
		out = append(out, row.Values...)
	}
	if mx.Include != nil {
		for _, c := range mx.Include.Combinations {
			if c == nil {
				continue
			}
			if a := c.Assigns[key]; a != nil && a.Value != nil {
				out = append(out, a.Value)
			}
		}
	}
	return out
}

// matrixHasSelfHosted reports whether any value is, or lists, the
// "self-hosted" label.
func matrixHasSelfHosted(vals []actionlint.RawYAMLValue) bool {
	for _, v := range vals {
		switch v := v.(type) {
		case *actionlint.RawYAMLString:
			if strings.EqualFold(strings.TrimSpace(v.Value), "self-hosted") {
				return true
			}
		case *actionlint.RawYAMLArray:
			if matrixHasSelfHosted(v.Elems) {
				return true
			}
		case *actionlint.RawYAMLObject:
			for k, p := range v.Props {
				if strings.EqualFold(k, "labels") && matrixHasSelfHosted([]actionlint.RawYAMLValue{p}) {
					return true
				}
			}
		}
	}
	return false
}
