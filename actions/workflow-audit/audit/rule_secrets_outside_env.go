package audit

import (
	"fmt"

	"github.com/hubgates/hub/shared/finding"
)

// secretsOutsideEnvRule reports jobs that read secrets without a
// deployment environment. An environment's secrets can be held behind
// required reviewers, wait timers and branch rules; repository and
// organisation secrets are handed to any job on any branch.
type secretsOutsideEnvRule struct{}

func (secretsOutsideEnvRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleSecretsOutsideEnv,
		Severity: finding.Low,
		Summary:  "Job reads secrets without a deployment environment",
		Help: "Secrets stored on the repository or the organisation reach every job that names them, on every " +
			"branch and for every trigger. Secrets stored on a deployment environment reach only jobs that " +
			"declare \"environment:\", and the environment can require a reviewer, a wait, or a protected branch " +
			"first. Move release and deploy credentials to an environment and add \"environment: <name>\" to the " +
			"jobs that use them. Reported with the pedantic persona: many CI secrets (a test service's key) do " +
			"not need this.",
		HelpURI: helpBase + RuleSecretsOutsideEnv,
	}
}

func (secretsOutsideEnvRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if !rep.wants(PersonaPedantic) || wf.ast == nil || indexFold(wf.src, "secrets", 0) < 0 {
		return
	}
	v := newWorkflowView(wf)
	for _, jv := range v.jobs {
		j := jv.j
		if j.ast == nil || j.ast.Environment != nil || j.ast.WorkflowCall != nil {
			continue // reusable workflow calls cannot declare an environment
		}
		s := v.secretUse(jv)
		if s == "" {
			continue
		}
		rep.report(finding.Low, j.id.pos, "outside-env:"+j.id.value, fmt.Sprintf("job %q reads %s but declares no \"environment:\", so the secret reaches it on every branch and trigger without review; store it on a deployment environment and add \"environment: <name>\" to the job", j.id.value, s))
	}
}
