package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestTyposquatUses(t *testing.T) {
	step := func(uses string) string {
		return lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - uses: "+uses)
	}
	runRuleCases(t, RuleTyposquatUses, []ruleCase{
		{name: "missing letter", src: step("actons/checkout@" + testSHA),
			want: []want{{finding.High, 7, 15, "one typo away from the popular action actions/checkout"}}},
		{name: "owner without s", src: step("action/checkout@" + testSHA),
			want: []want{{finding.High, 7, 15, "actions/checkout"}}},
		{name: "two edits in a long name", src: step("docke/build-push-acton@" + testSHA),
			want: []want{{finding.High, 7, 15, "docker/build-push-action"}}},
		{name: "swapped words", src: step("build-push-action/docker@" + testSHA),
			want: []want{{finding.High, 7, 15, "docker/build-push-action"}}},
		{name: "the real action", src: step("actions/checkout@" + testSHA)},
		{name: "the same owner's other action", src: step("actions/setup-ruby@" + testSHA)},
		{name: "an unrelated action", src: step("octo-org/deploy@" + testSHA)},
	})
}
