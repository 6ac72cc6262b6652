package audit

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/finding"
)

// dependabotGroupsRule reports github-actions updates that are not
// grouped, and groups that select nothing: ungrouped, every action bump is
// its own pull request, and a stream of small bot pull requests is what
// gets approved without reading.
type dependabotGroupsRule struct{}

func (dependabotGroupsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleDependabotGroups,
		Severity: finding.Low,
		Summary:  "Dependabot's github-actions updates are not grouped",
		Help: "Give each github-actions entry a group (\"groups: { actions: { patterns: [\"*\"] } }\") so the " +
			"week's action updates arrive as one pull request, reviewed and SBOM-diffed once. A group needs " +
			"patterns, dependency-type or update-types to say what it holds.",
		HelpURI: helpBase + RuleDependabotGroups,
	}
}

func (dependabotGroupsRule) checkDependabot(df *dependabotFile, rep *reporter) {
	for _, u := range df.updates {
		if u.ecosystem == nil || u.ecosystem.value != "github-actions" {
			continue
		}
		g := deref(u.groups)
		if g == nil || g.Kind != yaml.MappingNode || len(g.Content) == 0 {
			rep.report(finding.Low, u.at(), "ungrouped:"+u.name(), fmt.Sprintf(
				"the Dependabot %s have no groups, so every action update is its own pull request; add \"groups: { actions: { patterns: [\"*\"] } }\"", u.name()))
			continue
		}
		for i := 0; i+1 < len(g.Content); i += 2 {
			name, spec := g.Content[i], deref(g.Content[i+1])
			selects := false
			for _, k := range []string{"patterns", "dependency-type", "update-types"} {
				if _, v := mappingValue(spec, k); v != nil {
					selects = true
				}
			}
			if !selects {
				rep.report(finding.Low, nodePos(name), "group-empty:"+name.Value, fmt.Sprintf(
					"the Dependabot group %q names no patterns, dependency-type or update-types, so it says nothing about what it holds; add patterns: [\"*\"]", name.Value))
			}
		}
	}
}
