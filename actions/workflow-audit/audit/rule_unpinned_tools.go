package audit

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// unpinnedToolsRule reports setup actions that install whatever version
// of a tool is newest when the job runs: a pinned action still runs an
// unpinned program.
type unpinnedToolsRule struct{}

func (unpinnedToolsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleUnpinnedTools,
		Severity: finding.Medium,
		Summary:  "Setup action installs the latest version of a tool",
		Help: "Pinning a setup action to a commit does not pin the tool it downloads: with no version, or " +
			"\"latest\" or \"*\", each run fetches whatever was released last, so a compromised release reaches " +
			"the job at once. Give the exact version (\"version: v0.65.0\") and update it deliberately. A version " +
			"given as an expression is reported with the pedantic persona.",
		HelpURI: helpBase + RuleUnpinnedTools,
	}
}

// toolInstallers are setup actions whose version input selects the tool
// they download, with the values that mean "newest" and whether leaving
// the input out does too.
var toolInstallers = map[string]struct {
	input     string
	latest    []string
	byDefault bool
}{
	"aquasecurity/setup-trivy":          {"version", []string{"latest"}, true},
	"1password/load-secrets-action":     {"version", []string{"latest"}, true},
	"extractions/setup-just":            {"just-version", []string{"*"}, true},
	"extractions/setup-crate":           {"version", []string{"*"}, true},
	"golangci/golangci-lint-action":     {"version", []string{"latest"}, false},
	"astral-sh/setup-uv":                {"version", []string{"latest"}, false},
	"sigstore/cosign-installer":         {"cosign-release", []string{"latest"}, false},
	"hashicorp/setup-terraform":         {"terraform_version", []string{"latest"}, false},
	"azure/setup-helm":                  {"version", []string{"latest"}, false},
	"azure/setup-kubectl":               {"version", []string{"latest"}, false},
	"goreleaser/goreleaser-action":      {"version", []string{"latest", "~> v2", "~> v1"}, true},
	"anchore/sbom-action/download-syft": {"syft-version", []string{"latest"}, false},
}

func (r unpinnedToolsRule) checkWorkflow(wf *workflowFile, rep *reporter) { r.check(wf, rep) }
func (r unpinnedToolsRule) checkAction(a *actionFile, rep *reporter)      { r.check(a, rep) }

func (unpinnedToolsRule) check(m any, rep *reporter) {
	for _, s := range allSteps(m) {
		sv := s.sv
		if sv.action == "" {
			continue
		}
		ti, ok := toolInstallers[sv.action]
		if !ok {
			continue
		}
		v := sv.with[ti.input]
		switch {
		case v == nil:
			if ti.byDefault {
				rep.report(finding.Medium, sv.uses.pos, "tool-default:"+sv.action, fmt.Sprintf("%s without %q installs the newest release of its tool on every run; set %q to an exact version", sv.action, ti.input, ti.input))
			}
		case containsExpression(v.value):
			// Usually a version read from a file or a matrix: pedantic.
			if b, known := evalCacheGuard(v.value, false); rep.wants(PersonaPedantic) && (!known || b) {
				rep.report(finding.Medium, v.pos, "tool-expr:"+sv.action+":"+v.value, fmt.Sprintf("%s's %q is an expression (%s), so the tool's version may be unpinned; set an exact version", sv.action, ti.input, strings.TrimSpace(v.value)))
			}
		default:
			for _, l := range ti.latest {
				if strings.EqualFold(strings.TrimSpace(v.value), l) {
					rep.report(finding.Medium, v.pos, "tool-latest:"+sv.action, fmt.Sprintf("%s's %q is %q, so every run installs whatever was released last; set an exact version", sv.action, ti.input, strings.TrimSpace(v.value)))
				}
			}
		}
	}
}
