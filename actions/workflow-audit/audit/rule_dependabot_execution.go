package audit

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// dependabotExecutionRule reports Dependabot updates allowed to run code
// from the packages they update while resolving them.
type dependabotExecutionRule struct{}

func (dependabotExecutionRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleDependabotExecution,
		Severity: finding.High,
		Summary:  "Dependabot allowed to run the code of the packages it updates",
		Help: "\"insecure-external-code-execution: allow\" lets Dependabot run a package's install or build code " +
			"(setup.py, gemspecs, Gradle scripts) while it resolves an update, with access to the registry " +
			"credentials configured for it. A hijacked release then runs with those credentials before anyone " +
			"reviews it. Remove the option (the default is deny).",
		HelpURI: helpBase + RuleDependabotExecution,
	}
}

func (dependabotExecutionRule) checkDependabot(df *dependabotFile, rep *reporter) {
	for _, u := range df.updates {
		_, v := mappingValue(u.node, "insecure-external-code-execution")
		s := scalarOf(v)
		if s == nil || !strings.EqualFold(strings.TrimSpace(s.value), "allow") {
			continue
		}
		rep.report(finding.High, s.pos, "execution:"+u.name(), fmt.Sprintf("the Dependabot %s set \"insecure-external-code-execution: allow\", so a package's own code runs while Dependabot resolves it, with the registry credentials; remove it", u.name()))
	}
}
