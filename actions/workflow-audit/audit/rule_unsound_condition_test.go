package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestUnsoundCondition(t *testing.T) {
	wf := func(cond ...string) string {
		return lines(append(append([]string{"on: push", "permissions: {}", "jobs:", "  deploy:", "    runs-on: ubuntu-latest"}, cond...), "    steps:", "      - run: make deploy")...)
	}
	runRuleCases(t, RuleUnsoundCondition, []ruleCase{
		{name: "two fenced expressions", src: wf("    if: ${{ github.ref == 'refs/heads/main' }} && ${{ github.event_name == 'push' }}"),
			want: []want{{finding.High, 6, 9, "2 expressions joined by text"}}},
		{name: "block scalar keeps the newline", src: wf("    if: |", "      ${{ github.ref == 'refs/heads/main' }}"),
			want: []want{{finding.High, 6, 9, "a trailing newline"}}},
		{name: "block scalar without the newline", src: wf("    if: |-", "      ${{ github.ref == 'refs/heads/main' }}")},
		{name: "one fenced expression", src: wf("    if: ${{ github.ref == 'refs/heads/main' }}")},
		{name: "bare expression", src: wf("    if: github.ref == 'refs/heads/main'")},
		{name: "step condition with text", src: lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - if: always ${{ failure() }}", "        run: make"),
			want: []want{{finding.High, 7, 13, "text around it"}}},
	})
}
