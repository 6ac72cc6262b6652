package audit

import (
	"fmt"

	"github.com/hubgates/hub/shared/finding"
)

// missingConcurrencyRule reports release and deploy workflows that let two
// runs overlap.
type missingConcurrencyRule struct{}

func (missingConcurrencyRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleMissingConcurrency,
		Severity: finding.Low,
		Summary:  "Release or deploy workflow without a concurrency group",
		Help: "Two runs of a release or deploy workflow at once (two tags pushed together, a re-run next to a " +
			"new run) race each other: an older build can overwrite a newer release or deployment. Add a " +
			"concurrency group that serialises them, at the top of the workflow or on the publishing job: " +
			"\"concurrency: { group: release-${{ github.ref }}, cancel-in-progress: false }\". A reusable " +
			"workflow (on: workflow_call) is left to its caller.",
		HelpURI: helpBase + RuleMissingConcurrency,
	}
}

func (missingConcurrencyRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if wf.ast == nil || wf.ast.Concurrency != nil || wf.reusableOnly() {
		return
	}
	why := wf.publishReason()
	if why == "" {
		return
	}
	for _, j := range wf.jobs {
		if j.ast != nil && j.ast.Concurrency != nil {
			return
		}
	}
	rep.report(finding.Low, wf.onPos(), "missing-concurrency", fmt.Sprintf("this workflow publishes (%s) but sets no \"concurrency:\", so two runs can race and an older one can overwrite a newer release or deployment; add \"concurrency: { group: ${{ github.workflow }}-${{ github.ref }}, cancel-in-progress: false }\" at the top or on the publishing job", why))
}
