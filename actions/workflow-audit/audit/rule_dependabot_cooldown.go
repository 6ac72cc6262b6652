package audit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// dependabotCooldownRule reports Dependabot updates that propose a new
// release the moment it appears: most hijacked releases are found and
// pulled within days, and a cooldown keeps them out of pull requests
// until then.
type dependabotCooldownRule struct{}

// minCooldownDays is the shortest default-days cooldown not reported.
const minCooldownDays = 7

func (dependabotCooldownRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleDependabotCooldown,
		Severity: finding.Medium,
		Summary:  "Dependabot proposes releases with no or a short cooldown",
		Help: "Compromised releases (of npm packages, actions, PyPI projects) are usually found and withdrawn " +
			"within days; without a cooldown Dependabot opens a pull request for them at once, and an " +
			"auto-merge or a hurried review ships them. Add \"cooldown: { default-days: 7 }\" (or more) to each " +
			"entry of \"updates:\". Missing is medium; fewer than 7 default days is low.",
		HelpURI: helpBase + RuleDependabotCooldown,
	}
}

func (dependabotCooldownRule) checkDependabot(df *dependabotFile, rep *reporter) {
	for _, u := range df.updates {
		if u.cooldown == nil {
			rep.report(finding.Medium, u.at(), "cooldown-missing:"+u.name(), fmt.Sprintf("the Dependabot %s have no \"cooldown:\", so a release is proposed the moment it appears, before a hijacked one can be found and withdrawn; add \"cooldown: { default-days: %d }\"", u.name(), minCooldownDays))
			continue
		}
		_, dd := mappingValue(u.cooldown, "default-days")
		s := scalarOf(dd)
		if s == nil {
			continue // only per-semver cooldowns: they say what they want
		}
		n, err := strconv.Atoi(strings.TrimSpace(s.value))
		if err == nil && n < minCooldownDays {
			rep.report(finding.Low, s.pos, "cooldown-short:"+u.name(), fmt.Sprintf("the Dependabot %s wait %d days before proposing a release; hijacked releases often stay up longer, so wait at least %d", u.name(), n, minCooldownDays))
		}
	}
}
