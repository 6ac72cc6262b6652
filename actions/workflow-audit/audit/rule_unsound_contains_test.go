package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestUnsoundContains(t *testing.T) {
	wf := func(cond string) string {
		return lines("on: push", "permissions: {}", "jobs:", "  deploy:", "    runs-on: ubuntu-latest", "    if: "+cond, "    steps:", "      - run: make deploy")
	}
	runRuleCases(t, RuleUnsoundContains, []ruleCase{
		{name: "branch list as a string", src: wf("contains('refs/heads/main refs/heads/release', github.ref)"),
			want: []want{{finding.High, 6, 9, `contains("refs/heads/main refs/heads/release", github.ref), a substring test`}}},
		{name: "event name list, inside a conjunction", src: wf("${{ github.repository == 'o/r' && contains('push schedule', github.event_name) }}"),
			want: []want{{finding.Medium, 6, 9, "github.event_name"}}},
		{name: "a list built with fromJSON", src: wf("contains(fromJSON('[\"refs/heads/main\"]'), github.ref)")},
		{name: "a context as the haystack", src: wf("contains(github.event.pull_request.labels.*.name, 'deploy')")},
		{name: "two literals", src: wf("contains('abc', 'b')")},
		{name: "composite action step", path: "act/action.yml", src: lines("name: a", "description: d", "runs:", "  using: composite", "  steps:", "    - if: contains('main dev', github.head_ref)", "      run: make", "      shell: bash"),
			want: []want{{finding.High, 6, 11, "github.head_ref"}}},
	})
}
