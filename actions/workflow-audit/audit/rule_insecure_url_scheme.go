package audit

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// insecureURLSchemeRule reports downloads over plain http:// or git://
// in run: scripts: anyone on the network path (a compromised router, a
// hostile Wi-Fi on a self-hosted runner) can replace what is fetched.
type insecureURLSchemeRule struct{}

func (insecureURLSchemeRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleInsecureURLScheme,
		Severity: finding.High,
		Summary:  "Code or data fetched over plain http:// or git://",
		Help: "http:// and git:// carry no authentication or integrity: whoever is on the network path can " +
			"serve other content, and a script, package index or repository fetched that way runs in the job. " +
			"Use https:// (and check a published checksum or signature where there is one). Local addresses " +
			"(localhost, 127.0.0.1, service containers) are not reported. zizmor applies this audit to " +
			"pre-commit configurations; hub applies it to the download commands of run: scripts.",
		HelpURI: helpBase + RuleInsecureURLScheme,
	}
}

// fetchPrograms download or install from a URL.
var fetchPrograms = map[string]bool{
	"curl": true, "wget": true, "git": true, "pip": true, "pip3": true, "npm": true, "yarn": true, "pnpm": true,
	"apt-key": true, "add-apt-repository": true, "gem": true, "go": true, "helm": true, "docker": true,
	"invoke-webrequest": true, "iwr": true, "invoke-restmethod": true, "irm": true, "aria2c": true, "uv": true,
}

var insecureURLRe = regexp.MustCompile(`(?i)\b(http|git)://[^\s"'<>|;&)]+`)

func (r insecureURLSchemeRule) checkWorkflow(wf *workflowFile, rep *reporter) { r.check(wf, rep) }
func (r insecureURLSchemeRule) checkAction(a *actionFile, rep *reporter)      { r.check(a, rep) }

func (insecureURLSchemeRule) check(m any, rep *reporter) {
	for _, s := range allSteps(m) {
		sv := s.sv
		if sv.run == nil || !(strings.Contains(sv.run.value, "http://") || strings.Contains(sv.run.value, "git://")) {
			continue
		}
		for _, c := range sv.commands() {
			if !fetchPrograms[c.program()] {
				continue
			}
			for _, m := range insecureURLRe.FindAllStringIndex(c.masked, -1) {
				raw := c.text[m[0]:m[1]]
				u, err := url.Parse(raw)
				if err != nil || localHost(u.Hostname()) {
					continue
				}
				rep.report(finding.High, s.ix.locate(sv.run, c.off+m[0]), "insecure-url:"+raw, fmt.Sprintf("command %s fetches %s over %s://, which anyone on the network path can replace; use https://", quoteCmd(c.text), raw, strings.ToLower(u.Scheme)))
			}
		}
	}
}

// localHost reports hosts that do not leave the runner: loopback, and
// single-label names (service containers such as "postgres").
func localHost(h string) bool {
	h = strings.ToLower(h)
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1" || h == "0.0.0.0" || h == "host.docker.internal" || h != "" && !strings.Contains(h, ".") && !strings.Contains(h, ":")
}
