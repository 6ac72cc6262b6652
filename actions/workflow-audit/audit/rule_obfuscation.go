package audit

import (
	"fmt"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/hubgates/hub/shared/finding"
)

// obfuscationRule reports ways of writing a uses: or an expression that
// hide what it is: path components such as "./" or "//" inside a uses:
// (actions/checkout/./@v4 is actions/checkout to GitHub, but not to a
// reviewer or a pattern-matching policy), and expressions that compute a
// constant from literals (format('{0}', 'x'), fromJSON('"x"')).
type obfuscationRule struct{}

func (obfuscationRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleObfuscation,
		Severity: finding.Low,
		Summary:  "uses: or expression written to hide what it is",
		Help: "GitHub normalises \"owner/repo/./path\", \"owner/repo//path\" and \"owner/repo/sub/../path\" in uses:, " +
			"so such a reference runs an action that reviewers, allow lists and scanners do not recognise. Write " +
			"the plain path. An expression that only combines literals (format('{0}', 'x'), join(fromJSON('[...]'))," +
			" toJSON('x')) is a constant written to look like a computation: write the constant.",
		HelpURI: helpBase + RuleObfuscation,
	}
}

func (r obfuscationRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	for _, j := range wf.jobs {
		if j.uses != nil {
			r.checkUses(*j.uses, rep)
		}
		for _, st := range j.steps {
			if st.uses != nil {
				r.checkUses(*st.uses, rep)
			}
		}
	}
	if wf.ast == nil || !strings.Contains(string(wf.src), "${{") {
		return
	}
	v := newWorkflowView(wf)
	for _, jv := range v.jobs {
		for _, sv := range jv.steps {
			r.checkStepExprs(sv, rep, v.ix)
		}
	}
}

func (r obfuscationRule) checkAction(a *actionFile, rep *reporter) {
	if a.root == nil {
		return
	}
	ix := actionIndex(a)
	for _, sv := range newActionSteps(a) {
		if sv.uses != nil {
			r.checkUses(scalar{value: sv.uses.value, pos: sv.uses.pos}, rep)
		}
		r.checkStepExprs(sv, rep, ix)
	}
}

// checkUses reports a uses: whose repository or path has empty, "." or
// ".." components, or a path that ends in "/".
func (obfuscationRule) checkUses(u scalar, rep *reporter) {
	v := u.value
	if strings.HasPrefix(v, "docker://") || containsExpression(v) {
		return
	}
	name, _, _ := strings.Cut(v, "@")
	local := strings.HasPrefix(name, "./")
	if local {
		name = strings.TrimPrefix(name, "./")
	}
	var bad []string
	for _, seg := range strings.Split(name, "/") {
		switch seg {
		case "", ".", "..":
			q := `"` + seg + `"`
			if seg == "" {
				q = "an empty component"
			}
			bad = append(bad, q)
		}
	}
	if len(bad) == 0 {
		return
	}
	rep.report(finding.Low, u.pos, "uses:"+v, fmt.Sprintf("uses: %q holds %s in its path, which GitHub normalises away, so the reference does not read as the action it runs; write the plain path", v, strings.Join(bad, " and ")))
}

// checkStepExprs reports constant-reducible expressions in a step's code,
// inputs and environment.
func (obfuscationRule) checkStepExprs(sv *stepView, rep *reporter, ix *srcIndex) {
	vals := []*scriptVal{sv.run, sv.cond}
	for _, w := range sv.with {
		vals = append(vals, w)
	}
	for _, e := range sv.env.vars {
		vals = append(vals, e.value)
	}
	for _, val := range vals {
		if val == nil || !strings.Contains(val.value, "${{") {
			continue
		}
		for _, e := range findExprs(val.value) {
			if call := constantCall(e.node); call != "" {
				rep.report(finding.Low, ix.locate(val, e.off), "const:"+e.text, fmt.Sprintf("expression %s computes a constant from literals with %s, which hides what the value is; write the value itself", e.text, call))
			}
		}
	}
}

// constantCall returns the name of a function call in n whose arguments
// are all literals (or such calls), "" when there is none. Status
// functions (always(), success()...) and hashFiles read the run, not
// their arguments.
func constantCall(n actionlint.ExprNode) string {
	found := ""
	walkExpr(n, func(n actionlint.ExprNode) {
		call, ok := n.(*actionlint.FuncCallNode)
		if !ok || found != "" || len(call.Args) == 0 {
			return
		}
		switch strings.ToLower(call.Callee) {
		case "always", "success", "failure", "cancelled", "hashfiles":
			return
		}
		if allLiteral(call) {
			found = call.Callee + "()"
		}
	})
	return found
}

func allLiteral(n actionlint.ExprNode) bool {
	switch n := n.(type) {
	case *actionlint.StringNode, *actionlint.IntNode, *actionlint.FloatNode, *actionlint.BoolNode, *actionlint.NullNode:
		return true
	case *actionlint.FuncCallNode:
		for _, a := range n.Args {
			if !allLiteral(a) {
				return false
			}
		}
		return true
	}
	return false
}
