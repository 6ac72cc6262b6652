package audit

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/hubgates/hub/shared/finding"
)

// renovatePinDigestsRule reports Renovate configurations that keep
// actions at tags: without pinDigests Renovate proposes "uses: x@v5", which
// unpinned-uses then flags, and a moved tag changes what runs.
type renovatePinDigestsRule struct{}

// pinPresets are the presets that pin github-actions to digests.
var pinPresets = []string{"helpers:pinGitHubActionDigests", "helpers:pinGitHubActionDigestsToSemver", "config:best-practices", ":pinDigests", "default:pinDigests"}

func (renovatePinDigestsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleRenovatePinDigests,
		Severity: finding.Medium,
		Summary:  "Renovate does not pin actions to commit digests",
		Help: "Extend \"helpers:pinGitHubActionDigests\" (or \"config:best-practices\"), or set \"pinDigests\": true for the " +
			"github-actions manager, so Renovate proposes uses: owner/action@<sha> # vX.Y.Z and keeps the SHA current.",
		HelpURI: helpBase + RuleRenovatePinDigests,
	}
}

func (renovatePinDigestsRule) checkRenovate(rf *renovateFile, rep *reporter) {
	if rf.root == nil || !actionsEnabled(rf) {
		return
	}
	if v := rf.setting("pinDigests"); v != nil {
		if !isTrue(v) {
			rep.report(finding.Medium, nodePos(v), "pin-digests-false", "\"pinDigests\" is not true for the github-actions manager, so Renovate proposes actions by tag; set it to true")
		}
		return
	}
	if _, ok := rf.extended(pinPresets...); ok {
		return
	}
	rep.report(finding.Medium, nodePos(rf.root), "pin-digests-missing", "the Renovate configuration does not pin actions to commit digests, so it proposes uses: at tags; extend \"helpers:pinGitHubActionDigests\" or set \"pinDigests\": true")
}

// renovateCooldownRule reports Renovate configurations that propose a
// release the moment it appears; minimumReleaseAge is Renovate's cooldown.
type renovateCooldownRule struct{}

func (renovateCooldownRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleRenovateCooldown,
		Severity: finding.Medium,
		Summary:  "Renovate proposes action releases with no or a short minimumReleaseAge",
		Help: "Set \"minimumReleaseAge\": \"7 days\" (or more), at the top or for the github-actions manager, so a hijacked release " +
			"is found and withdrawn before Renovate proposes it. Missing is medium; under 7 days is low.",
		HelpURI: helpBase + RuleRenovateCooldown,
	}
}

func (renovateCooldownRule) checkRenovate(rf *renovateFile, rep *reporter) {
	if rf.root == nil || !actionsEnabled(rf) {
		return
	}
	v := rf.setting("minimumReleaseAge")
	if v == nil {
		if days := rf.setting("stabilityDays"); days != nil {
			c := *days
			c.Value += " days"
			v = &c
		}
	}
	if v == nil {
		rep.report(finding.Medium, nodePos(rf.root), "cooldown-missing", fmt.Sprintf("the Renovate configuration has no \"minimumReleaseAge\" for actions, so a release is proposed the moment it appears; set \"minimumReleaseAge\": \"%d days\"", minCooldownDays))
		return
	}
	days, ok := releaseAgeDays(v.Value)
	if !ok || days < minCooldownDays {
		rep.report(finding.Low, nodePos(v), "cooldown-short", fmt.Sprintf("Renovate waits %q before proposing an action release; hijacked releases often stay up longer, so wait at least %d days", v.Value, minCooldownDays))
	}
}

// renovateActionsCoverageRule reports Renovate configurations under which
// the github-actions manager does not read some workflows or actions: it
// is disabled, left out of enabledManagers, or ignorePaths (the
// ":ignoreModulesAndTests" defaults of config:recommended included) skip
// the files.
type renovateActionsCoverageRule struct{}

// ignoreModulesAndTests are the ignorePaths config:recommended brings in.
var ignoreModulesAndTests = []string{"**/node_modules/**", "**/bower_components/**", "**/vendor/**", "**/examples/**", "**/__tests__/**", "**/test/**", "**/tests/**", "**/__fixtures__/**"}

func (renovateActionsCoverageRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleRenovateActionsCoverage,
		Severity: finding.Medium,
		Summary:  "Renovate does not update some workflows' or composite actions' uses:",
		Help: "Renovate's github-actions manager reads workflows and every action.yml unless it is disabled, missing from " +
			"enabledManagers, or ignorePaths skip the file (config:recommended skips test, tests, examples and vendor folders). " +
			"Enable the manager and narrow ignorePaths so every file that pins actions is read.",
		HelpURI: helpBase + RuleRenovateActionsCoverage,
	}
}

func actionsEnabled(rf *renovateFile) bool {
	if _, v := mappingValue(rf.actions, "enabled"); v != nil && deref(v).Value == "false" {
		return false
	}
	if _, v := mappingValue(rf.root, "enabledManagers"); v != nil {
		return slices.ContainsFunc(scalarList(rf.root, "enabledManagers"), func(s scalar) bool { return s.value == "github-actions" })
	}
	return true
}

func (renovateActionsCoverageRule) checkCoverage(bot any, sc *botScope, rep *reporter) {
	rf, ok := bot.(*renovateFile)
	if !ok || rf.root == nil {
		return
	}
	workflows, actions := sc.covered(botBase(rf.path))
	files := append(workflows, actions...)
	if len(files) == 0 {
		return
	}
	if !actionsEnabled(rf) {
		rep.report(finding.Medium, nodePos(rf.root), "manager-off", fmt.Sprintf("Renovate's github-actions manager is disabled or not in enabledManagers, so the actions pinned in %d files (%s) are never updated; enable it", len(files), files[0]))
		return
	}
	ignore := scalarList(rf.root, "ignorePaths")
	at := nodePos(rf.root)
	if len(ignore) > 0 {
		at = ignore[0].pos
	}
	var patterns []string
	for _, s := range ignore {
		patterns = append(patterns, s.value)
	}
	if k, _ := mappingValue(rf.root, "ignorePaths"); k == nil {
		if e, ok := rf.extended("config:recommended", "config:best-practices", ":ignoreModulesAndTests"); ok {
			patterns, at = ignoreModulesAndTests, e.pos
		}
	}
	for _, f := range files {
		if p, ok := ignoredBy(patterns, strings.TrimPrefix(f, botBase(rf.path)+"/")); ok {
			rep.report(finding.Medium, at, "ignored:"+f, fmt.Sprintf("%s pins actions, but Renovate's ignorePaths %q skip it, so its pins are never updated; narrow ignorePaths", f, p))
		}
	}
}

// ignoredBy reports the first ignorePaths pattern matching p, as Renovate
// matches them: a glob, or a substring of the path.
func ignoredBy(patterns []string, p string) (string, bool) {
	for _, pat := range patterns {
		if ok, _ := doublestar.Match(pat, p); ok {
			return pat, true
		}
		if strings.HasPrefix(pat, "**/") && strings.HasSuffix(pat, "/**") {
			dir := strings.TrimSuffix(strings.TrimPrefix(pat, "**/"), "/**")
			if slices.Contains(strings.Split(path.Dir(p), "/"), dir) {
				return pat, true
			}
		}
		if !strings.ContainsAny(pat, "*?[") && strings.Contains(p, pat) {
			return pat, true
		}
	}
	return "", false
}
