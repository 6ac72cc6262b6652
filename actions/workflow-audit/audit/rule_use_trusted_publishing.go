package audit

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// useTrustedPublishingRule reports uploads to package indexes that
// support trusted publishing (OIDC, no stored token) made with a
// long-lived token instead.
type useTrustedPublishingRule struct{}

func (useTrustedPublishingRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleUseTrustedPublishing,
		Severity: finding.Low,
		Summary:  "Package published with a stored token where trusted publishing works",
		Help: "PyPI, RubyGems, crates.io, npm and NuGet accept \"trusted publishing\": the workflow proves who it is " +
			"with a short-lived OIDC token (permissions: id-token: write) and no API token is stored in secrets, " +
			"so none can leak or be reused elsewhere. Configure the trusted publisher on the index, drop the " +
			"password/token input or variable, and use pypa/gh-action-pypi-publish without \"password\", " +
			"rubygems/release-gem, rust-lang/crates-io-auth-action, npm publish with --provenance and no " +
			"NODE_AUTH_TOKEN, or NuGet/login.",
		HelpURI: helpBase + RuleUseTrustedPublishing,
	}
}

// tokenPublishers are publish commands and the variables or flags that
// hand them a stored token.
var tokenPublishers = []struct {
	prog, sub string
	index     string
	vars      []string
	flags     []string
}{
	{"twine", "upload", "PyPI", []string{"TWINE_PASSWORD"}, []string{"-p", "--password"}},
	{"uv", "publish", "PyPI", []string{"UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD"}, []string{"--token", "-t", "--password", "-p"}},
	{"poetry", "publish", "PyPI", []string{"POETRY_PYPI_TOKEN_PYPI", "POETRY_HTTP_BASIC_PYPI_PASSWORD"}, []string{"--password", "-p"}},
	{"hatch", "publish", "PyPI", []string{"HATCH_INDEX_AUTH"}, []string{"--auth", "-a"}},
	{"cargo", "publish", "crates.io", []string{"CARGO_REGISTRY_TOKEN"}, []string{"--token"}},
	{"gem", "push", "RubyGems", []string{"GEM_HOST_API_KEY"}, []string{"--key", "-k"}},
	{"npm", "publish", "npm", []string{"NODE_AUTH_TOKEN", "NPM_TOKEN"}, nil},
	{"dotnet", "nuget", "NuGet", nil, []string{"--api-key", "-k"}},
	{"nuget", "push", "NuGet", nil, []string{"-apikey", "-ApiKey"}},
}

func (r useTrustedPublishingRule) checkWorkflow(wf *workflowFile, rep *reporter) { r.check(wf, rep) }
func (r useTrustedPublishingRule) checkAction(a *actionFile, rep *reporter)      { r.check(a, rep) }

func (useTrustedPublishingRule) check(m any, rep *reporter) {
	for _, s := range allSteps(m) {
		sv := s.sv
		switch {
		case sv.usesAny("pypa/gh-action-pypi-publish"):
			if p := sv.with["password"]; p != nil && strings.Contains(p.value, "secrets.") {
				rep.report(finding.Low, p.pos, "pypi-password:"+p.value, fmt.Sprintf("pypa/gh-action-pypi-publish is given a stored PyPI token (password: %s); configure a trusted publisher on PyPI, grant \"id-token: write\" and drop the password input", strings.TrimSpace(p.value)))
			}
		case sv.run != nil && mayPublish(sv.run.value):
			env := s.envLookup()
			for _, c := range sv.commands() {
				tp := tokenPublisher(c, env)
				if tp == "" {
					continue
				}
				rep.report(finding.Low, s.ix.locate(sv.run, c.off), "token-publish:"+c.text, fmt.Sprintf("command %s publishes to %s with a stored token; configure trusted publishing on %s (OIDC, \"id-token: write\") so no long-lived token is kept in secrets", quoteCmd(c.text), tp, tp))
			}
		}
	}
}

// envLookup returns the step's env resolution: the step's, then the
// job's and the workflow's env blocks.
func (s stepSite) envLookup() func(string) (string, bool) {
	sc := s.scope()
	if sc.env == nil {
		return func(string) (string, bool) { return "", false }
	}
	return sc.env
}

// tokenPublisher returns the index a command publishes to with a token
// from secrets (a flag, or a variable set in env: from a secret), or "".
func tokenPublisher(c shellCmd, env func(string) (string, bool)) string {
	ws := c.words()
	if len(ws) < 2 {
		return ""
	}
	for _, tp := range tokenPublishers {
		if strings.ToLower(ws[0]) != tp.prog || !publishes(c) {
			continue
		}
		for _, w := range ws[1:] {
			for _, f := range tp.flags {
				if w == f || strings.HasPrefix(w, f+"=") {
					return tp.index
				}
			}
		}
		for _, v := range tp.vars {
			if val, ok := env(v); ok && strings.Contains(val, "secrets.") {
				return tp.index
			}
		}
	}
	return ""
}
