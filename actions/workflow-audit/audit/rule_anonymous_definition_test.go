package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestAnonymousDefinition(t *testing.T) {
	ped := Options{Persona: PersonaPedantic}
	runRuleCases(t, RuleAnonymousDefinition, []ruleCase{
		{name: "nothing named", opts: ped, src: lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - run: make"),
			want: []want{{finding.Low, 1, 1, "this workflow has no"}, {finding.Low, 4, 3, `job "a" has no`}}},
		{name: "everything named", opts: ped, src: lines("name: ci", "on: push", "permissions: {}", "jobs:", "  a:", "    name: build", "    runs-on: ubuntu-latest", "    steps:", "      - run: make")},
		{name: "regular persona", src: lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - run: make")},
	})
}
