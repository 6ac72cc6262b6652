package audit

import (
	"fmt"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/hubgates/hub/shared/finding"
)

// botConditionsRule reports "if:" conditions that trust a bot by the
// actor's name: github.actor is whoever caused the latest event, so on a
// pull request the bot opened or updated, anyone who pushes to it, or
// re-runs it, inherits the check, and a fork can make dependabot[bot] the
// actor of its own pull request.
type botConditionsRule struct{}

func (botConditionsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleBotConditions,
		Severity: finding.High,
		Summary:  "Condition trusts a bot by github.actor, which others can become",
		Help: "github.actor and github.triggering_actor name whoever caused the latest event, not who wrote the " +
			"pull request: a fork can open a pull request that Dependabot updates, and anyone can re-run a job " +
			"first started by a bot, so \"if: github.actor == 'dependabot[bot]'\" on pull_request_target or " +
			"workflow_run lets their code through with the base repository's secrets. Check the pull request's " +
			"author instead: github.event.pull_request.user.login == 'dependabot[bot]' (and, for workflow_run, " +
			"the run's actor). Reported high on privileged triggers (pull_request_target, workflow_run, " +
			"issue_comment...), and low elsewhere with the pedantic persona.",
		HelpURI: helpBase + RuleBotConditions,
	}
}

// spoofableActors are the contexts that name whoever caused the event.
var spoofableActors = map[string]bool{
	"github.actor":              true,
	"github.triggering_actor":   true,
	"github.event.sender.login": true,
}

func (r botConditionsRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if wf.ast == nil || indexFold(wf.src, "[bot]", 0) < 0 {
		return
	}
	trig := wf.privilegedTrigger()
	if trig == "" && !rep.wants(PersonaPedantic) {
		return
	}
	v := newWorkflowView(wf)
	for _, c := range v.conditions() {
		n := parseCondition(c.val.value)
		if n == nil {
			continue
		}
		actor, bot := botCheck(n)
		if actor == "" {
			continue
		}
		if trig != "" {
			rep.report(finding.High, c.val.pos, "bot:"+c.val.value, fmt.Sprintf("the \"if:\" of %s trusts %s == %q on %s, but the actor is whoever caused the latest event (a re-run, a push to the bot's pull request, a fork's own Dependabot), so their code passes with the base repository's token and secrets; check github.event.pull_request.user.login instead", c.where, actor, bot, trig))
		} else {
			rep.report(finding.Low, c.val.pos, "bot:"+c.val.value, fmt.Sprintf("the \"if:\" of %s trusts %s == %q, but the actor is whoever caused the latest event, not the pull request's author; check github.event.pull_request.user.login instead", c.where, actor, bot))
		}
	}
}

// botCheck finds, anywhere in a condition, a comparison of a spoofable
// actor context with a bot's name ("...[bot]"), or contains/startsWith/
// endsWith of the actor and such a name.
func botCheck(n actionlint.ExprNode) (actor, bot string) {
	switch n := n.(type) {
	case *actionlint.CompareOpNode:
		if n.Kind == actionlint.CompareOpNodeKindEq {
			for _, sides := range [][2]actionlint.ExprNode{{n.Left, n.Right}, {n.Right, n.Left}} {
				if s, ok := sides[1].(*actionlint.StringNode); ok && spoofableActors[exprPath(sides[0])] && isBotName(s.Value) {
					return exprPath(sides[0]), s.Value
				}
			}
		}
		if a, b := botCheck(n.Left); a != "" {
			return a, b
		}
		return botCheck(n.Right)
	case *actionlint.FuncCallNode:
		switch strings.ToLower(n.Callee) {
		case "contains", "startswith", "endswith":
			if len(n.Args) == 2 {
				for _, sides := range [][2]actionlint.ExprNode{{n.Args[0], n.Args[1]}, {n.Args[1], n.Args[0]}} {
					if s, ok := sides[1].(*actionlint.StringNode); ok && spoofableActors[exprPath(sides[0])] && strings.Contains(strings.ToLower(s.Value), "[bot]") {
						return exprPath(sides[0]), s.Value
					}
				}
			}
		}
		for _, a := range n.Args {
			if x, y := botCheck(a); x != "" {
				return x, y
			}
		}
	case *actionlint.LogicalOpNode:
		if a, b := botCheck(n.Left); a != "" {
			return a, b
		}
		return botCheck(n.Right)
	case *actionlint.NotOpNode:
		// "!(github.actor == 'x[bot]')" keeps bots out: nothing trusted.
	}
	return "", ""
}

func isBotName(s string) bool { return strings.HasSuffix(strings.ToLower(s), "[bot]") }
