package audit

import "github.com/hubgates/hub/shared/finding"

// invalidWorkflowRule reports the problems parsers found: files GitHub (or
// docker build) would reject, and files too large or not text.
type invalidWorkflowRule struct{}

func (invalidWorkflowRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleInvalidWorkflow,
		Severity: finding.High,
		Summary:  "Workflow, action metadata or Dockerfile that GitHub or docker would reject",
		Help: "Fix the syntax error at the reported position: GitHub does not run a workflow it cannot parse, " +
			"and a broken file also hides its other problems from this audit. Keep workflow and action files " +
			"as UTF-8 text under the size limit.",
		HelpURI: helpBase + RuleInvalidWorkflow,
	}
}

func (r invalidWorkflowRule) checkFile(sf *sourceFile, rep *reporter) {
	for _, p := range sf.problems {
		rep.report(r.meta().Severity, p.pos, p.key, p.msg)
	}
}
