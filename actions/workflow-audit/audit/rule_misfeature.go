package audit

import (
	"fmt"
	"path"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// misfeatureRule reports GitHub Actions features that work but defeat
// analysis or behave inconsistently: "shell: cmd", which has no grammar
// an audit (or a reviewer) can rely on, and setup-python's pip-install,
// which installs into the runner's global Python.
type misfeatureRule struct{}

func (misfeatureRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleMisfeature,
		Severity: finding.Low,
		Summary:  "Feature that defeats analysis or behaves inconsistently",
		Help: "\"shell: cmd\" runs a script in Windows' cmd.exe, whose quoting and line continuations no audit can " +
			"follow (template injection and environment-file writes go unseen); use \"shell: pwsh\" or " +
			"\"shell: bash\". actions/setup-python's \"pip-install\" installs into the global interpreter, which " +
			"differs across runners and Python versions; install into a virtual environment instead. Shells " +
			"other than bash, sh, pwsh, powershell and python are reported with the pedantic persona.",
		HelpURI: helpBase + RuleMisfeature,
	}
}

func (r misfeatureRule) checkWorkflow(wf *workflowFile, rep *reporter) { r.check(wf, rep) }
func (r misfeatureRule) checkAction(a *actionFile, rep *reporter)      { r.check(a, rep) }

func (misfeatureRule) check(m any, rep *reporter) {
	for _, s := range allSteps(m) {
		sv := s.sv
		if sv.usesAny("actions/setup-python") && sv.with["pip-install"] != nil {
			p := sv.with["pip-install"]
			rep.report(finding.Low, p.pos, "pip-install", "actions/setup-python's \"pip-install\" installs packages into the runner's global Python, which behaves differently across runners and versions; install them into a virtual environment instead")
		}
		if sv.run == nil || sv.shell == nil {
			continue
		}
		sh := normalizeShell(sv.shell.value)
		switch sh {
		case "bash", "sh", "pwsh", "powershell", "python", "":
		case "cmd":
			rep.report(finding.Low, sv.shell.pos, "shell:cmd", "the step's \"shell: cmd\" runs the script in cmd.exe, whose quoting and line continuations no audit can follow, so injections and environment-file writes in it go unseen; use \"shell: pwsh\" or \"shell: bash\"")
		default:
			if rep.wants(PersonaPedantic) {
				rep.report(finding.Low, sv.shell.pos, "shell:"+sh, fmt.Sprintf("the step's \"shell: %s\" is not one of the shells GitHub documents (bash, sh, pwsh, powershell, python, cmd), so this audit cannot read the script; use bash or pwsh", strings.TrimSpace(sv.shell.value)))
			}
		}
	}
}

// normalizeShell reduces a shell value ("bash -e {0}", "/usr/bin/bash",
// "cmd.exe") to its program name.
func normalizeShell(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 || containsExpression(s) {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(path.Base(strings.ReplaceAll(f[0], `\`, "/"))), ".exe")
}
