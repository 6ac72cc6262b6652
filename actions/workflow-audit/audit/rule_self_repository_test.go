package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestSelfRepository(t *testing.T) {
	step := func(uses string) string {
		return lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - uses: "+uses)
	}
	auditor := Options{Persona: PersonaAuditor}
	runRuleCases(t, RuleSelfRepository, []ruleCase{
		{name: "local action, auditor", src: step("./.github/actions/build"), opts: auditor,
			want: []want{{finding.Low, 7, 15, `"$/.github/actions/build"`}}},
		{name: "local action, pedantic", src: step("./.github/actions/build"), opts: Options{Persona: PersonaPedantic}},
		{name: "remote action", src: step("actions/checkout@" + testSHA), opts: auditor},
	})
}
