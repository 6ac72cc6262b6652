package audit

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/hubgates/hub/shared/finding"
)

// DefaultPATPattern is the regular expression (Go syntax) that marks a
// secret's name as a GitHub personal access token when the secret goes to
// an action input that is only called "token" or "<something>-token":
// names with a "GH", "GITHUB" or "PAT" word (GH_PAT, BOT_GITHUB_TOKEN,
// RELEASE_PAT) or "PERSONAL_ACCESS". CODECOV_TOKEN or NPM_TOKEN do not
// match, so tokens of other services given to their own actions are not
// reported. Secrets given to actions/checkout, to gh through GH_TOKEN or
// GITHUB_TOKEN, to a git remote on github.com or to an input named for
// GitHub (github-token, repo-token ...) are reported whatever their name:
// there they can only be GitHub credentials.
const DefaultPATPattern = `(?i)(^|_)(gh|github|pat)(_|$)|personal_?access`

var patNameRe = regexp.MustCompile(DefaultPATPattern)

// patUsageRule reports long-lived GitHub credentials (personal access
// tokens, deploy keys) used where the job's GITHUB_TOKEN or a GitHub App
// token would do, and registry passwords written into the workflow.
type patUsageRule struct{}

func (patUsageRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RulePATUsage,
		Severity: finding.Medium,
		Summary:  "Personal access token, over-wide GitHub App token or literal registry password in a workflow",
		Help: "A personal access token is long-lived, tied to a person, usually scoped to every repository " +
			"they can reach, and lets its holder act as them. For this repository, use the job's " +
			"GITHUB_TOKEN (\"${{ secrets.GITHUB_TOKEN }}\") with the \"permissions:\" the job needs; for other " +
			"repositories or for events GITHUB_TOKEN cannot trigger, mint a short-lived GitHub App " +
			"installation token with actions/create-github-app-token and pass \"${{ steps.<id>.outputs.token }}\"; " +
			"scope that token with permission-<scope> inputs and, with owner:, a repositories: list, and let it be " +
			"revoked at the end of the job. " +
			"Container and service credentials belong in secrets: " +
			"\"password: ${{ secrets.REGISTRY_PASSWORD }}\", never written into the file.",
		HelpURI: helpBase + RulePATUsage,
	}
}

var (
	// secretNameRe finds the secrets an expression reads.
	secretNameRe = regexp.MustCompile(`(?i)\bsecrets\.([a-z_][a-z0-9_]*)|\bsecrets\[\s*'([^']*)'\s*\]|\bsecrets\[\s*"([^"]*)"\s*\]`)
	// remoteSecretRe finds a secret in the user part of an https URL:
	// https://x-access-token:${{ secrets.PAT }}@github.com/...
	remoteSecretRe = regexp.MustCompile(`https?://[^\s'"@/]*(\$\{\{[^}]*\}\})[^\s'"@/]*@([^\s'"/:]+)`)
	// remoteVarRe finds a shell variable in the user part of an https URL:
	// https://x-access-token:${TOKEN}@github.com/...
	remoteVarRe = regexp.MustCompile(`https?://[^\s'"@/]*\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?[^\s'"@/]*@([^\s'"/:]+)`)
	// extraHeaderRe finds a secret in git's http.extraheader.
	extraHeaderRe = regexp.MustCompile(`(?i)extraheader[^\n]*?(\$\{\{[^}]*\}\})`)
)

// githubTokenInputs are action inputs that take a GitHub token by name.
var githubTokenInputs = []string{"github-token", "github_token", "gh-token", "gh_token", "repo-token", "repo_token", "github-pat", "gh-pat", "pat"}

// githubTokenEnv are environment variables tools (gh, semantic-release,
// hub, octokit) read a GitHub token from.
var githubTokenEnv = []string{"GH_TOKEN", "GITHUB_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GITHUB_PAT"}

// secretsIn returns the secrets (other than GITHUB_TOKEN) the ${{ }}
// expressions of v read, sorted and unique.
func secretsIn(v string) []string {
	if !strings.Contains(v, "${{") {
		return nil // no expression: spare the regular expressions
	}
	var out []string
	for _, e := range wholeExprRe.FindAllString(v, -1) {
		for _, m := range secretNameRe.FindAllStringSubmatch(e, -1) {
			name := m[1] + m[2] + m[3]
			if name == "" || strings.EqualFold(name, "GITHUB_TOKEN") || slices.Contains(out, name) {
				continue
			}
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func (r patUsageRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if wf.ast == nil {
		return
	}
	r.checkEnv(envValues(wf.ast.Env), "workflow env", rep)
	for _, j := range wf.jobs {
		if j.ast == nil {
			continue
		}
		r.checkCredentials(j, rep)
		jobEnv := envValues(j.ast.Env)
		r.checkEnv(jobEnv, fmt.Sprintf("job %q env", j.id.value), rep)
		for _, st := range j.steps {
			r.checkStep(wf, st, []map[string]scalar{stepEnv(st), jobEnv, envValues(wf.ast.Env)}, rep)
		}
	}
}

// checkEnv reports GH_TOKEN / GITHUB_TOKEN variables set from a secret.
func (patUsageRule) checkEnv(env map[string]scalar, where string, rep *reporter) {
	names := make([]string, 0, len(env))
	for n := range env {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !slices.ContainsFunc(githubTokenEnv, func(e string) bool { return strings.EqualFold(e, n) }) {
			continue
		}
		v := env[n]
		for _, s := range secretsIn(v.value) {
			rep.report(finding.Medium, v.pos, "env:"+n+":"+s, fmt.Sprintf("%s sets %s from secret %s, a long-lived token gh and other GitHub tools will act as; use \"${{ secrets.GITHUB_TOKEN }}\" with the job's \"permissions:\", or a GitHub App token from actions/create-github-app-token", where, n, s))
		}
	}
}

func (r patUsageRule) checkAction(a *actionFile, rep *reporter) {
	for _, st := range a.steps {
		if ref, ok := stepAction(st); ok && ref.is("actions/create-github-app-token") {
			r.checkAppToken(st, rep)
		}
	}
}

// checkAppToken reports GitHub App tokens minted wider or longer-lived
// than needed: every permission of the installation (no permission-*
// input), every repository of an owner (owner without repositories), or
// left valid after the job (skip-token-revoke).
func (patUsageRule) checkAppToken(st *step, rep *reporter) {
	inputs := withValues(st)
	scoped := false
	for n := range inputs {
		scoped = scoped || strings.HasPrefix(n, "permission-")
	}
	if !scoped {
		rep.report(finding.Medium, st.uses.pos, "app-token:permissions:"+st.uses.value, "actions/create-github-app-token asks for no permission-* input, so the token gets every permission the App installation has; ask only for what the job uses, e.g. \"permission-contents: write\"")
	}
	if o, ok := inputs["owner"]; ok {
		if _, named := inputs["repositories"]; !named {
			rep.report(finding.Medium, o.pos, "app-token:owner:"+o.value, fmt.Sprintf("actions/create-github-app-token names owner %q without \"repositories:\", so the token reaches every repository the App is installed on there; list the repositories the job needs", o.value))
		}
	}
	if v, ok := inputs["skip-token-revoke"]; ok && strings.EqualFold(strings.TrimSpace(v.value), "true") {
		rep.report(finding.High, v.pos, "app-token:revoke", "actions/create-github-app-token is told not to revoke its token (skip-token-revoke: true), so it stays valid for up to an hour after the job; remove skip-token-revoke")
	}
}

func (r patUsageRule) checkStep(wf *workflowFile, st *step, envs []map[string]scalar, rep *reporter) {
	r.checkEnv(stepEnv(st), "step env", rep)
	if a, ok := stepAction(st); ok {
		if a.is("actions/create-github-app-token") {
			r.checkAppToken(st, rep)
		}
		inputs := withValues(st)
		names := make([]string, 0, len(inputs))
		for n := range inputs {
			names = append(names, n)
		}
		sort.Strings(names)
		checkout := a.is("actions/checkout")
		for _, n := range names {
			v := inputs[n]
			secrets := secretsIn(v.value)
			if len(secrets) == 0 {
				continue
			}
			switch {
			case checkout && n == "ssh-key":
				rep.report(finding.Medium, v.pos, "checkout:ssh-key:"+secrets[0], fmt.Sprintf("actions/checkout is given an SSH key from secret %s, a long-lived deploy or personal key; check out this repository with the default GITHUB_TOKEN, and other repositories with a GitHub App token from actions/create-github-app-token (\"token: ${{ steps.<id>.outputs.token }}\")", secrets[0]))
			case checkout && n == "token":
				rep.report(finding.Medium, v.pos, "checkout:token:"+secrets[0], fmt.Sprintf("actions/checkout is given secret %s as its token, a long-lived personal access token that is also written into .git/config; check out this repository with the default GITHUB_TOKEN, and other repositories with a GitHub App token from actions/create-github-app-token", secrets[0]))
			case slices.Contains(githubTokenInputs, n):
				rep.report(finding.Medium, v.pos, "input:"+n+":"+secrets[0], fmt.Sprintf("input %q of %s is given secret %s, a long-lived GitHub token; pass \"${{ secrets.GITHUB_TOKEN }}\" with the job's \"permissions:\", or a GitHub App token from actions/create-github-app-token", n, a.name(), secrets[0]))
			case n == "token" || strings.HasSuffix(n, "-token") || strings.HasSuffix(n, "_token"):
				for _, s := range secrets {
					if rep.ctx.patName.MatchString(s) {
						rep.report(finding.Medium, v.pos, "input:"+n+":"+s, fmt.Sprintf("input %q of %s is given secret %s, whose name says it is a GitHub personal access token; pass \"${{ secrets.GITHUB_TOKEN }}\" with the job's \"permissions:\", or a GitHub App token from actions/create-github-app-token", n, a.name(), s))
						break
					}
				}
			}
		}
	}
	if s := runScript(st); s != nil {
		r.checkScript(wf, *s, envs, rep)
	}
}

// checkScript reports secrets put into git remote URLs or git's extra
// HTTP header.
func (patUsageRule) checkScript(wf *workflowFile, s scalar, envs []map[string]scalar, rep *reporter) {
	report := func(off int, secret, what string) {
		rep.report(finding.Medium, offsetPos(wf.src, s, off), "remote:"+secret, fmt.Sprintf("%s is given secret %s, a long-lived token that stays in .git/config and the process list; push with the token actions/checkout sets up (GITHUB_TOKEN with \"permissions: contents: write\"), or with a GitHub App token from actions/create-github-app-token", what, secret))
	}
	githubHost := func(host string, secret string) bool {
		return strings.Contains(strings.ToLower(host), "github") || rep.ctx.patName.MatchString(secret)
	}
	// Each expression below needs "://" and "@", or "extraheader": most
	// scripts have neither, and the tests are cheaper than the searches.
	if strings.Contains(s.value, "://") && strings.Contains(s.value, "@") {
		checkRemotes(s, envs, githubHost, report)
	}
	if indexFold(s.value, "extraheader", 0) >= 0 {
		for _, m := range extraHeaderRe.FindAllStringSubmatchIndex(s.value, -1) {
			for _, sec := range secretsIn(s.value[m[2]:m[3]]) {
				report(m[2], sec, "git's http.extraheader")
			}
		}
	}
}

// checkRemotes reports secrets in git remote URLs of script s, written in
// the URL or through a variable set in one of envs (innermost first).
func checkRemotes(s scalar, envs []map[string]scalar, githubHost func(host, secret string) bool, report func(off int, secret, what string)) {
	for _, m := range remoteSecretRe.FindAllStringSubmatchIndex(s.value, -1) {
		host := s.value[m[4]:m[5]]
		for _, sec := range secretsIn(s.value[m[2]:m[3]]) {
			if githubHost(host, sec) {
				report(m[2], sec, "a git remote for "+host)
			}
		}
	}
	for _, m := range remoteVarRe.FindAllStringSubmatchIndex(s.value, -1) {
		name, host := s.value[m[2]:m[3]], s.value[m[4]:m[5]]
		for _, env := range envs {
			v, ok := env[name]
			if !ok {
				continue
			}
			for _, sec := range secretsIn(v.value) {
				if githubHost(host, sec) {
					report(strings.LastIndexByte(s.value[:m[2]], '$'), sec, "a git remote for "+host)
				}
			}
			break // the innermost env that sets the variable wins
		}
	}
}

// checkCredentials reports registry passwords written into the job's
// container or service definitions.
func (patUsageRule) checkCredentials(j *job, rep *reporter) {
	check := func(c *actionlint.Container, where string) {
		if c == nil || c.Credentials == nil || c.Credentials.Password == nil {
			return
		}
		p := c.Credentials.Password
		if p.Value == "" || containsExpression(p.Value) {
			return
		}
		rep.report(finding.High, scalarOrEmpty(p).pos, "credentials:"+where, fmt.Sprintf("%s credentials write the registry password into the workflow, where everyone who can read the repository sees it; store it as a secret and use \"password: ${{ secrets.REGISTRY_PASSWORD }}\", and revoke the one written here", where))
	}
	check(j.ast.Container, fmt.Sprintf("job %q container", j.id.value))
	if j.ast.Services != nil {
		ids := make([]string, 0, len(j.ast.Services.Value))
		for id := range j.ast.Services.Value {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if svc := j.ast.Services.Value[id]; svc != nil {
				check(svc.Container, fmt.Sprintf("job %q service %q", j.id.value, id))
			}
		}
	}
}

// offsetPos returns the position of byte off of scalar s's value in src.
// It handles single-line plain and quoted scalars and literal ("|") block
// scalars, whose value lines sit one per source line; for anything else it
// returns the scalar's own position.
func offsetPos(src []byte, s scalar, off int) pos {
	if s.pos.line <= 0 || off < 0 || off > len(s.value) {
		return s.pos
	}
	lines := bytes.Split(src, []byte("\n"))
	if s.pos.line > len(lines) {
		return s.pos
	}
	first := lines[s.pos.line-1]
	c := s.pos.col - 1
	if c < 0 || c >= len(first) {
		return s.pos
	}
	before := s.value[:off]
	nl := strings.Count(before, "\n")
	switch first[c] {
	case '|':
		line := s.pos.line + 1 + nl
		if line > len(lines) {
			return s.pos
		}
		text := strings.TrimRight(string(lines[line-1]), "\r")
		start := strings.LastIndexByte(before, '\n') + 1
		end := strings.IndexByte(s.value[start:], '\n')
		valueLine := s.value[start:]
		if end >= 0 {
			valueLine = s.value[start : start+end]
		}
		if !strings.HasSuffix(text, valueLine) {
			return s.pos
		}
		return pos{line, len(text) - len(valueLine) + (off - start) + 1}
	case '>':
		return s.pos
	case '"', '\'':
		if nl == 0 && !strings.ContainsAny(before, `\'`) {
			return pos{s.pos.line, s.pos.col + 1 + off}
		}
		return s.pos
	default:
		if nl == 0 {
			return pos{s.pos.line, s.pos.col + off}
		}
		return s.pos
	}
}
