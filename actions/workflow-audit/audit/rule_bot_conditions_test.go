package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestBotConditions(t *testing.T) {
	wf := func(trigger, cond string) string {
		return lines("on: "+trigger, "permissions: {}", "jobs:", "  merge:", "    runs-on: ubuntu-latest", "    if: "+cond, "    steps:", "      - run: gh pr merge --auto")
	}
	runRuleCases(t, RuleBotConditions, []ruleCase{
		{name: "actor is dependabot on pull_request_target", src: wf("pull_request_target", "github.actor == 'dependabot[bot]'"),
			want: []want{{finding.High, 6, 9, `trusts github.actor == "dependabot[bot]" on pull_request_target`}}},
		{name: "reversed, in a conjunction", src: wf("workflow_run", "github.event.workflow_run.conclusion == 'success' && 'renovate[bot]' == github.triggering_actor"),
			want: []want{{finding.High, 6, 9, "github.triggering_actor"}}},
		{name: "fenced, with contains", src: wf("pull_request_target", "${{ contains(github.actor, '[bot]') }}"),
			want: []want{{finding.High, 6, 9, "github.actor"}}},
		{name: "the author, not the actor", src: wf("pull_request_target", "github.event.pull_request.user.login == 'dependabot[bot]'")},
		{name: "a person's name is not a bot", src: wf("pull_request_target", "github.actor == 'octocat'")},
		{name: "keeping bots out", src: wf("pull_request_target", "!(github.actor == 'dependabot[bot]')")},
		{name: "on pull_request: pedantic only", src: wf("pull_request", "github.actor == 'dependabot[bot]'")},
		{name: "on pull_request, pedantic", src: wf("pull_request", "github.actor == 'dependabot[bot]'"), opts: Options{Persona: PersonaPedantic},
			want: []want{{finding.Low, 6, 9, "not the pull request's author"}}},
		{name: "step condition", src: lines("on: pull_request_target", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - if: github.actor == 'dependabot[bot]'", "        run: make"),
			want: []want{{finding.High, 7, 13, "a step of job \"a\""}}},
	})
}
