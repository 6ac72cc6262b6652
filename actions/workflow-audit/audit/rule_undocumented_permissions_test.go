package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestUndocumentedPermissions(t *testing.T) {
	wf := func(perms ...string) string {
		return lines(append(append([]string{"on: push", "jobs:", "  release:", "    runs-on: ubuntu-latest"}, perms...), "    steps:", "      - run: make")...)
	}
	pedantic := Options{Persona: PersonaPedantic}
	runRuleCases(t, RuleUndocumentedPermissions, []ruleCase{
		{name: "write without a comment", src: wf("    permissions:", "      contents: write", "      pull-requests: read"), opts: pedantic,
			want: []want{{finding.Low, 6, 17, `job "release" grants contents without a comment`}}},
		{name: "comment at the end of the line", src: wf("    permissions:", "      contents: write # push the tag"), opts: pedantic},
		{name: "comment on the line above", src: wf("    permissions:", "      # push the tag", "      contents: write"), opts: pedantic},
		{name: "regular persona", src: wf("    permissions:", "      contents: write")},
		{name: "write-all", src: wf("    permissions: write-all"), opts: pedantic,
			want: []want{{finding.Low, 5, 18, "grants write-all"}}},
	})
}
