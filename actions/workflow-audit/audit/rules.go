package audit

import "github.com/hubgates/hub/shared/finding"

// ruleSet lists every rule Scan runs. Add a rule by adding a rule_<id>.go
// file and one line here.
var ruleSet = []rule{
	invalidWorkflowRule{},
	unpinnedImagesRule{},
	unpinnedUsesRule{},
}

// Rules describes every rule the scan can report, in ID order, for SARIF
// output and documentation.
var Rules = func() []finding.Rule {
	rs := make([]finding.Rule, len(ruleSet))
	for i, r := range ruleSet {
		rs[i] = r.meta()
	}
	return rs
}()

// The rule IDs.
const (
	RuleInvalidWorkflow = "invalid-workflow"
	RuleUnpinnedImages  = "unpinned-images"
	RuleUnpinnedUses    = "unpinned-uses"
)

const helpBase = "https://github.com/hubgates/hub/blob/main/actions/workflow-audit/README.md#"
