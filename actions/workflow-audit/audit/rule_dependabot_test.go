package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestDependabotCooldown(t *testing.T) {
	cfg := func(extra ...string) string {
		return lines(append([]string{"version: 2", "updates:", "  - package-ecosystem: github-actions", "    directory: /", "    schedule:", "      interval: weekly"}, extra...)...)
	}
	p := ".github/dependabot.yml"
	runRuleCases(t, RuleDependabotCooldown, []ruleCase{
		{name: "no cooldown", path: p, src: cfg(),
			want: []want{{finding.Medium, 3, 24, `the Dependabot "github-actions" updates in "/" have no "cooldown:"`}}},
		{name: "a week", path: p, src: cfg("    cooldown:", "      default-days: 7")},
		{name: "two days", path: p, src: cfg("    cooldown:", "      default-days: 2"),
			want: []want{{finding.Low, 8, 21, "wait 2 days"}}},
		{name: "semver cooldowns only", path: p, src: cfg("    cooldown:", "      semver-major-days: 30")},
	})
}

func TestDependabotExecution(t *testing.T) {
	cfg := func(extra ...string) string {
		return lines(append([]string{"version: 2", "updates:", "  - package-ecosystem: pip", "    directory: /", "    schedule:", "      interval: weekly", "    cooldown:", "      default-days: 7"}, extra...)...)
	}
	p := ".github/dependabot.yaml"
	runRuleCases(t, RuleDependabotExecution, []ruleCase{
		{name: "allowed", path: p, src: cfg("    insecure-external-code-execution: allow"),
			want: []want{{finding.High, 9, 39, `set "insecure-external-code-execution: allow"`}}},
		{name: "denied", path: p, src: cfg("    insecure-external-code-execution: deny")},
		{name: "default", path: p, src: cfg()},
	})
}

// TestDependabotFound: the default walk reads .github/dependabot.yml, and
// a broken one is an invalid-workflow finding.
func TestDependabotFound(t *testing.T) {
	r := scanTree(t, map[string]string{".github/dependabot.yml": "version: 2\nupdates: [\n", "sub/.github/dependabot.yaml": "version: 2\nupdates: []\n", "docs/dependabot.yml": "x: 1\n"}, Options{})
	var got []string
	for _, f := range r.Files {
		got = append(got, f.Kind+" "+f.Path)
	}
	if len(got) != 2 || got[0] != "dependabot .github/dependabot.yml" || got[1] != "dependabot sub/.github/dependabot.yaml" {
		t.Errorf("files = %q", got)
	}
	checkOne(t, only(r.Findings, RuleInvalidWorkflow), &want{finding.High, 2, 0, "the Dependabot configuration is not valid YAML"})
}
