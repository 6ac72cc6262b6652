package audit

import (
	"fmt"

	"github.com/hubgates/hub/shared/finding"
)

// anonymousDefinitionRule reports workflows and jobs without a "name:":
// GitHub then shows the file path or the job id, which makes runs, checks
// and branch protection rules harder to read and audit.
type anonymousDefinitionRule struct{}

func (anonymousDefinitionRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleAnonymousDefinition,
		Severity: finding.Low,
		Summary:  "Workflow or job without a name",
		Help: "Without \"name:\" GitHub shows a workflow by its file path and a job by its id in the Actions tab, " +
			"in status checks and in branch protection rules, so a reviewer cannot tell what a required check " +
			"runs. Give each workflow and job a name. Reported with the pedantic persona.",
		HelpURI: helpBase + RuleAnonymousDefinition,
	}
}

func (anonymousDefinitionRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if !rep.wants(PersonaPedantic) || wf.ast == nil {
		return
	}
	if wf.ast.Name == nil || wf.ast.Name.Value == "" {
		rep.report(finding.Low, wf.onPos(), "anonymous:workflow", "this workflow has no \"name:\", so GitHub shows it by its file path in runs and checks; add one")
	}
	for _, j := range wf.jobs {
		if j.ast != nil && (j.ast.Name == nil || j.ast.Name.Value == "") {
			rep.report(finding.Low, j.id.pos, "anonymous:job:"+j.id.value, fmt.Sprintf("job %q has no \"name:\", so GitHub shows its id in checks and branch protection rules; add one", j.id.value))
		}
	}
}
