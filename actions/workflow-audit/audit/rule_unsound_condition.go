package audit

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// unsoundConditionRule reports "if:" values that hold a ${{ }} expression
// and other text: GitHub evaluates the whole value as a string template,
// and a non-empty string is true, so the condition always holds.
type unsoundConditionRule struct{}

func (unsoundConditionRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleUnsoundCondition,
		Severity: finding.High,
		Summary:  "Condition that is always true: an expression with text around it",
		Help: "An \"if:\" is evaluated as one expression only when the whole value is one: " +
			"\"if: ${{ a }} && ${{ b }}\", or a block scalar (\"if: |\") whose value ends in a newline, becomes a " +
			"string, and every non-empty string is true, so the job or step always runs. Write the condition as " +
			"one expression without the fences (\"if: a && b\"), or use \"|-\"/\">-\" so no newline is kept.",
		HelpURI: helpBase + RuleUnsoundCondition,
	}
}

func (r unsoundConditionRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if wf.ast == nil || !strings.Contains(string(wf.src), "${{") {
		return
	}
	for _, c := range newWorkflowView(wf).conditions() {
		r.check(c, rep)
	}
}

func (r unsoundConditionRule) checkAction(a *actionFile, rep *reporter) {
	if a.root == nil {
		return
	}
	for _, c := range actionConditions(newActionSteps(a)) {
		r.check(c, rep)
	}
}

func (unsoundConditionRule) check(c condSite, rep *reporter) {
	v := c.val.value
	es := findExprs(v)
	if len(es) == 0 {
		return
	}
	if len(es) == 1 && es[0].off == 0 && es[0].end == len(v) {
		return // exactly one expression: evaluated as such
	}
	why := "text around it"
	switch {
	case len(es) > 1:
		why = fmt.Sprintf("%d expressions joined by text", len(es))
	case strings.TrimSpace(v) == v[es[0].off:es[0].end]:
		why = "a trailing newline or space (a block scalar keeps it)"
	}
	rep.report(finding.High, c.val.pos, "unsound:"+v, fmt.Sprintf("the \"if:\" of %s is %s with %s, so GitHub reads it as a string, which is always true; write it as one expression without ${{ }} fences (or use \"|-\")", c.where, quoteCmd(v), why))
}
