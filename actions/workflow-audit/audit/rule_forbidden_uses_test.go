package audit

import (
	"errors"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestForbiddenUses(t *testing.T) {
	step := func(uses string) string {
		return lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - uses: "+uses)
	}
	deny := func(ps ...string) Options { return Options{ForbiddenUses: ps} }
	runRuleCases(t, RuleForbiddenUses, []ruleCase{
		{name: "whole owner", src: step("tj-actions/changed-files@" + testSHA), opts: deny("tj-actions/*"),
			want: []want{{finding.High, 7, 15, `forbidden by the forbidden-uses pattern "tj-actions/*"`}}},
		{name: "repository covers its paths", src: step("github/codeql-action/init@" + testSHA), opts: deny("github/codeql-action"),
			want: []want{{finding.High, 7, 15, `"github/codeql-action"`}}},
		{name: "one ref", src: step("actions/checkout@v3"), opts: deny("actions/checkout@v3"),
			want: []want{{finding.High, 7, 15, `"actions/checkout@v3"`}}},
		{name: "other ref", src: step("actions/checkout@v4"), opts: deny("actions/checkout@v3")},
		{name: "allow after deny", src: step("actions/checkout@" + testSHA), opts: deny("*/*", "!actions/*")},
		{name: "deny all but", src: step("octo/tool@" + testSHA), opts: deny("*/*", "!actions/*"),
			want: []want{{finding.High, 7, 15, `"*/*"`}}},
		{name: "no patterns", src: step("tj-actions/changed-files@v45")},
		{name: "local action", src: step("./local"), opts: deny("*/*")},
	})
	if _, err := parseUsesPatterns([]string{"nobody", "a/[", "ok/*"}); !errors.Is(err, ErrInvalidUsesPattern) {
		t.Errorf("bad patterns: %v", err)
	}
}
