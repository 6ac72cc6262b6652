package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestSuperfluousActions(t *testing.T) {
	step := func(uses string) string {
		return lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - uses: "+uses)
	}
	runRuleCases(t, RuleSuperfluousActions, []ruleCase{
		{name: "release action", src: step("softprops/action-gh-release@" + testSHA),
			want: []want{{finding.Low, 7, 15, "use gh release create"}}},
		{name: "create-pull-request: pedantic only", src: step("peter-evans/create-pull-request@" + testSHA)},
		{name: "create-pull-request, pedantic", src: step("peter-evans/create-pull-request@" + testSHA), opts: Options{Persona: PersonaPedantic},
			want: []want{{finding.Low, 7, 15, "gh pr create"}}},
		{name: "checkout is not superfluous", src: step("actions/checkout@" + testSHA)},
	})
}
