package audit

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// selfRepositoryRule reports "./" local actions and reusable workflows
// where GitHub's "$/" self-repository syntax says the same without
// depending on what the job checked out.
type selfRepositoryRule struct{}

func (selfRepositoryRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleSelfRepository,
		Severity: finding.Low,
		Summary:  "Local action referenced with ./ rather than the $/ self-repository syntax",
		Help: "\"uses: ./path\" runs whatever is at that path in the job's workspace, so it depends on what the job " +
			"checked out (a pull request's head, another ref, nothing yet). \"uses: $/path\" names the path in the " +
			"workflow's own repository at the workflow's commit. Reported only with the auditor persona: $/ " +
			"is available on github.com runners since 2026 but not yet on every GitHub Enterprise Server or " +
			"every linter, so ./ remains the portable form.",
		HelpURI: helpBase + RuleSelfRepository,
	}
}

func (r selfRepositoryRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if !rep.wants(PersonaAuditor) {
		return
	}
	for _, j := range wf.jobs {
		if j.uses != nil {
			r.check(*j.uses, rep)
		}
		for _, st := range j.steps {
			if st.uses != nil {
				r.check(*st.uses, rep)
			}
		}
	}
}

func (r selfRepositoryRule) checkAction(a *actionFile, rep *reporter) {
	if !rep.wants(PersonaAuditor) {
		return
	}
	for _, st := range a.steps {
		if st.uses != nil {
			r.check(*st.uses, rep)
		}
	}
}

func (selfRepositoryRule) check(u scalar, rep *reporter) {
	rest, ok := strings.CutPrefix(u.value, "./")
	if !ok {
		return
	}
	rep.report(finding.Low, u.pos, "self:"+u.value, fmt.Sprintf("uses: %q runs whatever the job's workspace holds at that path; \"$/%s\" names it in this repository at the workflow's commit", u.value, rest))
}
