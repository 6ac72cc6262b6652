package audit

import (
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

const pinnedCheckout = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"

// botRepo is a repository with a workflow and two composite actions that
// use other actions, one at the root and one in a subfolder, plus a
// composite action that uses none.
func botRepo(extra map[string]string) map[string]string {
	composite := "name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n    - uses: " + pinnedCheckout + "\n"
	files := map[string]string{
		".github/workflows/ci.yml":         "on: push\npermissions: {}\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: " + pinnedCheckout + "\n        with:\n          persist-credentials: false\n",
		"action.yml":                       composite,
		".github/actions/build/action.yml": composite,
		"tools/plain/action.yml":           "name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n",
	}
	for k, v := range extra {
		files[k] = v
	}
	return files
}

func TestDependabotActionsCoverage(t *testing.T) {
	dep := func(entry string) map[string]string {
		return map[string]string{".github/dependabot.yml": "version: 2\nupdates:\n" + entry}
	}
	const sched = "    schedule: {interval: weekly}\n    cooldown: {default-days: 7}\n    groups: {actions: {patterns: ['*']}}\n"
	for _, tc := range []struct {
		name string
		cfg  map[string]string
		want []string
	}{
		{"root only", dep("  - package-ecosystem: github-actions\n    directory: /\n" + sched),
			[]string{`.github/dependabot.yml:3:24: .github/actions/build/action.yml uses other actions, but no Dependabot github-actions entry lists its folder`}},
		{"folder listed", dep("  - package-ecosystem: github-actions\n    directories: [\"/\", \"/.github/actions/build\"]\n" + sched), nil},
		{"glob", dep("  - package-ecosystem: github-actions\n    directories: [\"/\", \"/.github/actions/*\"]\n" + sched), nil},
		{"no github-actions entry", dep("  - package-ecosystem: gomod\n    directory: /\n" + sched),
			[]string{`.github/dependabot.yml:2:1: no Dependabot entry has package-ecosystem: github-actions, so the actions pinned in 1 workflows and 2 actions are never updated; add one with directories: ["/", "/.github/actions/build"]`}},
		{"subfolder only", dep("  - package-ecosystem: github-actions\n    directory: /.github/actions/build\n" + sched),
			[]string{`.github/dependabot.yml:3:24: the Dependabot github-actions updates do not list directory "/", so the actions pinned in 1 workflows (.github/workflows/ci.yml) are never updated`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := scanTree(t, botRepo(tc.cfg), Options{})
			got := only(r.Findings, RuleDependabotActionsCoverage)
			if len(got) != len(tc.want) {
				t.Fatalf("got:%s", dump(got))
			}
			for i, w := range tc.want {
				if s := got[i].String(); !strings.HasPrefix(s, w) || got[i].Severity != finding.Medium {
					t.Errorf("got  %s\nwant %s...", s, w)
				}
			}
		})
	}
}

func TestDependabotGroups(t *testing.T) {
	cfg := func(extra ...string) string {
		return lines(append([]string{"version: 2", "updates:", "  - package-ecosystem: github-actions", "    directory: /", "    schedule:", "      interval: weekly", "    cooldown:", "      default-days: 7"}, extra...)...)
	}
	p := ".github/dependabot.yml"
	runRuleCases(t, RuleDependabotGroups, []ruleCase{
		{name: "ungrouped", path: p, src: cfg(), want: []want{{finding.Low, 3, 24, "have no groups"}}},
		{name: "grouped", path: p, src: cfg("    groups:", "      actions:", "        patterns: ['*']")},
		{name: "by update type", path: p, src: cfg("    groups:", "      minor:", "        update-types: [minor, patch]")},
		{name: "empty group", path: p, src: cfg("    groups:", "      actions: {}"), want: []want{{finding.Low, 10, 7, `the Dependabot group "actions" names no patterns`}}},
	})
}

func TestRenovateRules(t *testing.T) {
	for _, tc := range []struct {
		name, file, cfg string
		rule            string
		want            []string
	}{
		{"best practices pin", "renovate.json", `{"extends": ["config:best-practices"], "minimumReleaseAge": "7 days"}`, RuleRenovatePinDigests, nil},
		{"helper pins", ".github/renovate.json", `{"extends": ["config:recommended", "helpers:pinGitHubActionDigests"]}`, RuleRenovatePinDigests, nil},
		{"manager pins", "renovate.json", `{"github-actions": {"pinDigests": true}}`, RuleRenovatePinDigests, nil},
		{"package rule pins", "renovate.json", "{\n  \"packageRules\": [{\"matchManagers\": [\"github-actions\"], \"pinDigests\": true}]\n}", RuleRenovatePinDigests, nil},
		{"no pins", "renovate.json", `{"extends": ["config:recommended"]}`, RuleRenovatePinDigests,
			[]string{"renovate.json:1:1: the Renovate configuration does not pin actions to commit digests"}},
		{"pins for npm only", "renovate.json", "{\n  \"packageRules\": [{\"matchManagers\": [\"npm\"], \"pinDigests\": true}]\n}", RuleRenovatePinDigests,
			[]string{"renovate.json:1:1: the Renovate configuration does not pin actions"}},
		{"pins turned off", "renovate.json", "{\n  \"extends\": [\"config:best-practices\"],\n  \"pinDigests\": false\n}", RuleRenovatePinDigests,
			[]string{`renovate.json:3:17: "pinDigests" is not true`}},
		{"release age", "renovate.json", `{"minimumReleaseAge": "14 days"}`, RuleRenovateCooldown, nil},
		{"release age for actions", "renovate.json", "{\"packageRules\": [{\"matchManagers\": [\"github-actions\"], \"minimumReleaseAge\": \"1 week\"}]}", RuleRenovateCooldown, nil},
		{"no release age", "renovate.json", `{"extends": ["config:best-practices"]}`, RuleRenovateCooldown,
			[]string{`renovate.json:1:1: the Renovate configuration has no "minimumReleaseAge" for actions`}},
		{"short release age", "renovate.json", "{\n  \"minimumReleaseAge\": \"3 days\"\n}", RuleRenovateCooldown,
			[]string{`renovate.json:2:24: Renovate waits "3 days" before proposing an action release`}},
		{"manager left out", "renovate.json", `{"enabledManagers": ["gomod"]}`, RuleRenovateActionsCoverage,
			[]string{"renovate.json:1:1: Renovate's github-actions manager is disabled or not in enabledManagers, so the actions pinned in 3 files (.github/workflows/ci.yml)"}},
		{"ignored folder", "renovate.json", "{\n  \"ignorePaths\": [\".github/actions/**\"]\n}", RuleRenovateActionsCoverage,
			[]string{`renovate.json:2:19: .github/actions/build/action.yml pins actions, but Renovate's ignorePaths ".github/actions/**" skip it`}},
		{"all read", "renovate.json", `{"extends": ["config:recommended"]}`, RuleRenovateActionsCoverage, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := scanTree(t, botRepo(map[string]string{tc.file: tc.cfg}), Options{})
			got := only(r.Findings, tc.rule)
			if len(got) != len(tc.want) {
				t.Fatalf("got:%s", dump(got))
			}
			for i, w := range tc.want {
				if s := got[i].String(); !strings.HasPrefix(s, w) {
					t.Errorf("got  %s\nwant %s...", s, w)
				}
			}
		})
	}
}

// config:recommended skips test folders: an action there is not updated.
func TestRenovateDefaultIgnorePaths(t *testing.T) {
	files := botRepo(map[string]string{"renovate.json": `{"extends": ["config:recommended"]}`})
	files["test/e2e/action.yml"] = files["action.yml"]
	r := scanTree(t, files, Options{})
	got := only(r.Findings, RuleRenovateActionsCoverage)
	if len(got) != 1 || !strings.Contains(got[0].Message, `test/e2e/action.yml pins actions, but Renovate's ignorePaths "**/test/**" skip it`) {
		t.Fatalf("got:%s", dump(got))
	}
}

func TestReleaseAgeDays(t *testing.T) {
	for in, want := range map[string]float64{"7 days": 7, "1 week": 7, "72 hours": 3, "3d": 3, "2 months": 60} {
		if got, ok := releaseAgeDays(in); !ok || got != want {
			t.Errorf("releaseAgeDays(%q) = %v, %v", in, got, ok)
		}
	}
	if _, ok := releaseAgeDays("soon"); ok {
		t.Error("soon parsed")
	}
}
