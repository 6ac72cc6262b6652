package audit

import (
	"fmt"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/hubgates/hub/shared/finding"
)

// unsoundContainsRule reports contains('a b c', context) in conditions:
// with a string as its first argument contains() is a substring test, so
// any value that is part of the string passes ("refs/heads/m" is in
// "refs/heads/main").
type unsoundContainsRule struct{}

func (unsoundContainsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleUnsoundContains,
		Severity: finding.Medium,
		Summary:  "contains() on a string used as a list of allowed values",
		Help: "contains('refs/heads/main refs/heads/release', github.ref) tests whether github.ref is a substring of " +
			"the text, so a branch named \"main\" or \"m\" or \"refs/heads/ma\" passes too. Give contains() an array " +
			"instead: contains(fromJSON('[\"refs/heads/main\", \"refs/heads/release\"]'), github.ref), or compare with " +
			"==. High when the value tested comes from the event (a branch or pull request name others choose), " +
			"medium otherwise.",
		HelpURI: helpBase + RuleUnsoundContains,
	}
}

func (r unsoundContainsRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if wf.ast == nil || indexFold(wf.src, "contains", 0) < 0 {
		return
	}
	v := newWorkflowView(wf)
	for _, c := range v.conditions() {
		var sc *exprScope
		if c.job != nil {
			sc = v.scope(c.job, nil)
		}
		r.check(c, sc, rep)
	}
}

func (r unsoundContainsRule) checkAction(a *actionFile, rep *reporter) {
	if a.root == nil || indexFold(a.src, "contains", 0) < 0 {
		return
	}
	for _, c := range actionConditions(newActionSteps(a)) {
		r.check(c, &exprScope{}, rep)
	}
}

func (unsoundContainsRule) check(c condSite, sc *exprScope, rep *reporter) {
	n := parseCondition(c.val.value)
	if n == nil {
		return
	}
	walkExpr(n, func(n actionlint.ExprNode) {
		call, ok := n.(*actionlint.FuncCallNode)
		if !ok || !strings.EqualFold(call.Callee, "contains") || len(call.Args) != 2 {
			return
		}
		hay, ok := call.Args[0].(*actionlint.StringNode)
		if !ok {
			return
		}
		ctx := exprPath(call.Args[1])
		if ctx == "" {
			return
		}
		sev := finding.Medium
		if sc != nil && worst(sc.flows(call.Args[1])) >= taintUnknown || strings.HasPrefix(ctx, "github.ref") || ctx == "github.head_ref" {
			sev = finding.High
		}
		rep.report(sev, c.val.pos, "contains:"+hay.Value+":"+ctx, fmt.Sprintf("the \"if:\" of %s tests contains(%q, %s), a substring test: any part of the text passes (a branch named after a piece of it, an empty value); use contains(fromJSON('[...]'), %s) with a list, or ==", c.where, hay.Value, ctx, ctx))
	})
}

// walkExpr calls fn for n and every node below it.
func walkExpr(n actionlint.ExprNode, fn func(actionlint.ExprNode)) {
	if n == nil {
		return
	}
	fn(n)
	switch n := n.(type) {
	case *actionlint.ObjectDerefNode:
		walkExpr(n.Receiver, fn)
	case *actionlint.ArrayDerefNode:
		walkExpr(n.Receiver, fn)
	case *actionlint.IndexAccessNode:
		walkExpr(n.Operand, fn)
		walkExpr(n.Index, fn)
	case *actionlint.NotOpNode:
		walkExpr(n.Operand, fn)
	case *actionlint.CompareOpNode:
		walkExpr(n.Left, fn)
		walkExpr(n.Right, fn)
	case *actionlint.LogicalOpNode:
		walkExpr(n.Left, fn)
		walkExpr(n.Right, fn)
	case *actionlint.FuncCallNode:
		for _, a := range n.Args {
			walkExpr(a, fn)
		}
	}
}
