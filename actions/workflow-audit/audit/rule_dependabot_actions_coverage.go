package audit

import (
	"fmt"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/hubgates/hub/shared/finding"
)

// dependabotActionsCoverageRule reports actions Dependabot never updates:
// no github-actions entry at all, or a composite action's action.yml in a
// folder no github-actions entry lists. Dependabot reads the workflows and
// the root action.yml for directory "/", and an action in a subfolder only
// when its folder is listed (globs allowed in "directories"), so the SHAs
// pinned there age silently.
type dependabotActionsCoverageRule struct{}

func (dependabotActionsCoverageRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleDependabotActionsCoverage,
		Severity: finding.Medium,
		Summary:  "Dependabot does not update some workflows' or composite actions' uses:",
		Help: "Pinning every action to a commit SHA is safe only while the pins are kept current. Dependabot's github-actions " +
			"ecosystem reads .github/workflows and the root action.yml for directory \"/\", and a composite action in a " +
			"subfolder only when that folder is listed: add a github-actions entry with " +
			"\"directories: [\"/\", \"/.github/actions/*\"]\" (globs allowed) covering every action.yml that uses other actions.",
		HelpURI: helpBase + RuleDependabotActionsCoverage,
	}
}

func (dependabotActionsCoverageRule) checkCoverage(bot any, sc *botScope, rep *reporter) {
	df, ok := bot.(*dependabotFile)
	if !ok || len(df.updates) == 0 {
		return
	}
	base := botBase(df.path)
	workflows, actions := sc.covered(base)
	if len(workflows)+len(actions) == 0 {
		return
	}
	var entries []dependabotUpdate
	for _, u := range df.updates {
		if u.ecosystem != nil && u.ecosystem.value == "github-actions" {
			entries = append(entries, u)
		}
	}
	if len(entries) == 0 {
		rep.report(finding.Medium, df.updatesAt, "no-github-actions", fmt.Sprintf(
			"no Dependabot entry has package-ecosystem: github-actions, so the actions pinned in %d workflows and %d actions are never updated; add one with directories: [\"/\"%s]",
			len(workflows), len(actions), subfolderHint(base, actions)))
		return
	}
	covers := func(dir string) bool {
		for _, u := range entries {
			for _, d := range u.dirs {
				if dependabotDirMatch(d, dir) {
					return true
				}
			}
		}
		return false
	}
	if len(workflows) > 0 && !covers("/") {
		rep.report(finding.Medium, entries[0].at(), "uncovered-workflows", fmt.Sprintf(
			"the Dependabot github-actions updates do not list directory \"/\", so the actions pinned in %d workflows (%s) are never updated; add \"/\"",
			len(workflows), workflows[0]))
	}
	for _, a := range actions {
		dir := "/" + path.Dir(strings.TrimPrefix(a, base+"/"))
		if dir == "/." || covers(dir) {
			continue
		}
		rep.report(finding.Medium, entries[0].at(), "uncovered:"+a, fmt.Sprintf(
			"%s uses other actions, but no Dependabot github-actions entry lists its folder, and Dependabot does not look in subfolders: its pins are never updated; add %q to directories",
			a, dir))
	}
}

// dependabotDirMatch reports whether a directory or directories entry of
// Dependabot names dir ("/" or "/.github/actions/build"), globs included.
func dependabotDirMatch(pattern, dir string) bool {
	p := "/" + strings.Trim(strings.TrimSpace(pattern), "/")
	if p == dir {
		return true
	}
	ok, _ := doublestar.Match(p, dir)
	return ok
}

func subfolderHint(base string, actions []string) string {
	for _, a := range actions {
		if d := path.Dir(strings.TrimPrefix(a, base+"/")); d != "." {
			return fmt.Sprintf(", %q", "/"+d)
		}
	}
	return ""
}
