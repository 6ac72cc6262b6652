package audit

import (
	"cmp"
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
			"workflow (on: workflow_call) is left to its caller, even when it is checked under its callers' " +
			"triggers. Release events, tag pushes and deployment environments count; with the pedantic " +
			"persona so do jobs that publish with a known action or command (npm publish, docker push...).",
		HelpURI: helpBase + RuleMissingConcurrency,
	}
}

func (missingConcurrencyRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if wf.ast == nil || wf.ast.Concurrency != nil || wf.reusableOnly() {
		return
	}
	// A release event, a tag push or a deployment is a release in any
	// repository; a job that pushes an image or a package on every push
	// to main races too, but its runs are ordered by the branch, so the
	// pedantic persona reports it.
	why := wf.eventPublishReason()
	if why == "" && rep.wants(PersonaPedantic) {
		why = cmp.Or(wf.releaseBranchReason(), wf.publishReason())
	}
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
