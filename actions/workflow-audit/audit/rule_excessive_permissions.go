package audit

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/hubgates/hub/shared/finding"
)

// excessivePermissionsRule reports GITHUB_TOKEN permissions that are left
// at the repository default or wider than the jobs need.
type excessivePermissionsRule struct{}

func (excessivePermissionsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleExcessivePermissions,
		Severity: finding.Medium,
		Summary:  "GITHUB_TOKEN permissions missing, write-all, or wider than the jobs need",
		Help: "Every job gets a GITHUB_TOKEN; without a \"permissions:\" block it has the repository's default " +
			"permissions, which are read-write on older repositories and organisations. Set \"permissions: " +
			"contents: read\" (or \"permissions: {}\") at the top of the workflow and give each job only the " +
			"write scopes it uses, e.g. \"permissions: contents: write\" on the one job that pushes a tag. " +
			"Never use write-all. Keep \"id-token: write\" out of workflows that pull_request_target, " +
			"workflow_run or issue_comment start. A reusable workflow (on: workflow_call) gets its " +
			"permissions from its caller and is not reported for lacking them.",
		HelpURI: helpBase + RuleExcessivePermissions,
	}
}

// judgedScopes are the scopes whose writers the rule can recognise; a
// write grant of any other scope is never called unneeded.
var judgedScopes = map[string]bool{
	"actions": true, "attestations": true, "checks": true, "contents": true, "deployments": true,
	"discussions": true, "id-token": true, "issues": true, "packages": true, "pages": true,
	"pull-requests": true, "security-events": true, "statuses": true,
}

// readOnlyActions never need a write scope of the job's token.
var readOnlyActions = []string{
	"actions/checkout", "actions/cache", "actions/cache/restore", "actions/cache/save",
	"actions/upload-artifact", "actions/download-artifact", "actions/upload-pages-artifact",
	"actions/setup-go", "actions/setup-node", "actions/setup-python", "actions/setup-java",
	"actions/setup-dotnet", "docker/setup-buildx-action", "docker/setup-qemu-action",
	"docker/metadata-action", "golangci/golangci-lint-action", "astral-sh/setup-uv",
	"pnpm/action-setup", "ruby/setup-ruby", "dtolnay/rust-toolchain", "swatinem/rust-cache",
	"actions-rust-lang/setup-rust-toolchain", "hashicorp/setup-terraform", "azure/setup-helm",
	"azure/setup-kubectl", "oven-sh/setup-bun", "denoland/setup-deno", "mlugg/setup-zig",
	"erlef/setup-beam", "shivammathur/setup-php", "extractions/setup-just", "taiki-e/install-action",
	"sigstore/cosign-installer", "hubgates/hub/actions/workflow-audit",
}

// writerActions maps actions to the write scopes they use.
var writerActions = map[string][]string{
	"softprops/action-gh-release":                 {"contents"},
	"ncipollo/release-action":                     {"contents"},
	"actions/create-release":                      {"contents"},
	"actions/upload-release-asset":                {"contents"},
	"svenstaro/upload-release-action":             {"contents"},
	"googleapis/release-please-action":            {"contents", "pull-requests", "issues"},
	"google-github-actions/release-please-action": {"contents", "pull-requests", "issues"},
	"goreleaser/goreleaser-action":                {"contents", "packages", "id-token"},
	"stefanzweifel/git-auto-commit-action":        {"contents"},
	"endbug/add-and-commit":                       {"contents"},
	"ad-m/github-push-action":                     {"contents"},
	"jamesives/github-pages-deploy-action":        {"contents"},
	"peaceiris/actions-gh-pages":                  {"contents"},
	"release-drafter/release-drafter":             {"contents", "pull-requests"},
	"changesets/action":                           {"contents", "pull-requests"},
	"mathieudutour/github-tag-action":             {"contents"},
	"anothrnick/github-tag-action":                {"contents"},
	"rickstaa/action-create-tag":                  {"contents"},
	"peter-evans/create-pull-request":             {"contents", "pull-requests"},
	"peter-evans/create-or-update-comment":        {"issues", "pull-requests"},
	"peter-evans/create-issue-from-file":          {"issues"},
	"marocchino/sticky-pull-request-comment":      {"pull-requests"},
	"thollander/actions-comment-pull-request":     {"pull-requests"},
	"actions/labeler":                             {"pull-requests", "issues"},
	"actions/stale":                               {"issues", "pull-requests"},
	"docker/build-push-action":                    {"packages"},
	"docker/login-action":                         {"packages"},
	"redhat-actions/push-to-registry":             {"packages"},
	"actions/delete-package-versions":             {"packages"},
	"actions/deploy-pages":                        {"pages", "id-token"},
	"aws-actions/configure-aws-credentials":       {"id-token"},
	"google-github-actions/auth":                  {"id-token"},
	"azure/login":                                 {"id-token"},
	"pypa/gh-action-pypi-publish":                 {"id-token"},
	"sigstore/gh-action-sigstore-python":          {"id-token"},
	"actions/attest-build-provenance":             {"id-token", "attestations"},
	"actions/attest-sbom":                         {"id-token", "attestations"},
	"actions/attest":                              {"id-token", "attestations"},
	"github/codeql-action/init":                   {"security-events"},
	"github/codeql-action/analyze":                {"security-events"},
	"github/codeql-action/upload-sarif":           {"security-events"},
	"github/codeql-action/autobuild":              {"security-events"},
	"ossf/scorecard-action":                       {"security-events", "id-token"},
	"dorny/test-reporter":                         {"checks"},
	"mikepenz/action-junit-report":                {"checks"},
	"enricomi/publish-unit-test-result-action":    {"checks", "pull-requests"},
	"styfle/cancel-workflow-action":               {"actions"},
}

var (
	// tokenRefRe finds the job token in an expression.
	tokenRefRe = regexp.MustCompile(`(?i)github\.token|secrets\.github_token|secrets\[\s*['"]github_token['"]\s*\]`)
	// githubUseRe finds run scripts that may use the token or publish:
	// the gh CLI, git push/tag (checkout leaves the token in .git/config),
	// the REST API, OIDC and the common publishing tools.
	githubUseRe = regexp.MustCompile(`(?i)(^|[^a-z0-9_./-])gh\s|\bgit\b[^\n;&|]*\b(push|tag)\b|api\.github\.com|uploads\.github\.com|github\.token|GITHUB_TOKEN|GH_TOKEN|ACTIONS_ID_TOKEN|ACTIONS_RUNTIME_TOKEN|\bcosign\b|\b(npm|yarn|pnpm)\s+(npm\s+)?publish|docker\s+push|--push\b|ghcr\.io|\bgoreleaser\b|gh-pages`)
)

// usesGitHub reports whether githubUseRe matches script lower-cased. The
// regular expression, one alternation over the whole script, was the
// costliest part of the scan, so each alternative is tested on its own:
// literals by substring, words by their boundaries, and the few patterns
// with repetition by small expressions that run only when their words
// occur. FuzzUsesGitHub holds it equal to the expression.
func usesGitHub(script string) bool {
	low := strings.ToLower(script)
	for _, lit := range githubUseLiterals {
		if strings.Contains(low, lit) {
			return true
		}
	}
	switch {
	case ghCommand(low), hasWord(low, "cosign"), hasWord(low, "goreleaser"), hasWordEnd(low, "--push"):
		return true
	case strings.Contains(low, "docker") && dockerPushRe.MatchString(low):
		return true
	case strings.Contains(low, "publish") && publishRe.MatchString(low):
		return true
	case (strings.Contains(low, "push") || strings.Contains(low, "tag")) && gitPushRe.MatchString(low):
		return true
	}
	return false
}

// githubUseLiterals are githubUseRe's alternatives that are plain text.
var githubUseLiterals = []string{"api.github.com", "uploads.github.com", "github.token", "github_token", "gh_token", "actions_id_token", "actions_runtime_token", "ghcr.io", "gh-pages"}

var (
	dockerPushRe = regexp.MustCompile(`docker\s+push`)
	publishRe    = regexp.MustCompile(`\b(npm|yarn|pnpm)\s+(npm\s+)?publish`)
	gitPushRe    = regexp.MustCompile(`\bgit\b[^\n;&|]*\b(push|tag)\b`)
)

// ghCommand reports whether low runs the gh CLI: "gh" and a space, not
// preceded by a letter, digit or one of "_./-".
func ghCommand(low string) bool {
	for i := strings.Index(low, "gh"); i >= 0; {
		if (i == 0 || !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz0123456789_./-", rune(low[i-1]))) &&
			i+2 < len(low) && strings.IndexByte("\t\n\f\r ", low[i+2]) >= 0 {
			return true
		}
		j := strings.Index(low[i+1:], "gh")
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

// hasWord reports whether w occurs in s as \bw\b would match it.
func hasWord(s, w string) bool {
	for i := strings.Index(s, w); i >= 0; {
		if (i == 0 || !isWordByte(s[i-1])) && (i+len(w) == len(s) || !isWordByte(s[i+len(w)])) {
			return true
		}
		j := strings.Index(s[i+1:], w)
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

// hasWordEnd reports whether w occurs in s followed by a word boundary, as
// w\b would match it for a w ending in a word character.
func hasWordEnd(s, w string) bool {
	for i := strings.Index(s, w); i >= 0; {
		if i+len(w) == len(s) || !isWordByte(s[i+len(w)]) {
			return true
		}
		j := strings.Index(s[i+1:], w)
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

// isWordByte is \w for one byte: regexp's word boundaries are ASCII only.
func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// jobWrites returns the write scopes j's steps use. known is false when a
// step could use any scope: an action the rule does not know, a local
// action, a reusable workflow call, github-script, or a script that uses
// the token, git push or gh. Only known jobs are judged.
func jobWrites(wf *workflowFile, j *job) (needs map[string]bool, known bool) {
	needs = map[string]bool{}
	if j.ast == nil || j.uses != nil || j.ast.WorkflowCall != nil {
		return needs, false
	}
	for _, env := range []*actionlint.Env{wf.ast.Env, j.ast.Env} {
		for _, v := range envValues(env) {
			if tokenRefRe.MatchString(v.value) {
				return needs, false
			}
		}
	}
	if j.ast.Environment != nil {
		needs["deployments"] = true
	}
	persisted := false // a checkout left the token in .git/config
	for _, st := range j.steps {
		if a, ok := stepAction(st); ok && a.is("actions/checkout") {
			p := withValue(st, "persist-credentials")
			persisted = persisted || p == nil || !strings.EqualFold(strings.TrimSpace(p.value), "false")
		}
	}
	for _, st := range j.steps {
		if st.uses == nil || strings.HasPrefix(st.uses.value, "docker://") {
			// The runner hands every process the OIDC request variables
			// when id-token is granted, so any program (terraform, cloud
			// CLIs) may use them unasked; and with the token left in
			// .git/config any tool may push (mkdocs gh-deploy, mvn
			// release, lerna).
			needs["id-token"] = true
			if persisted {
				needs["contents"] = true
			}
		}
	}
	for _, st := range j.steps {
		if st.ast == nil {
			return needs, false
		}
		if st.uses == nil {
			if s := runScript(st); s != nil && usesGitHub(s.value) {
				return needs, false
			}
			for _, v := range stepEnv(st) {
				if tokenRefRe.MatchString(v.value) {
					return needs, false
				}
			}
			continue
		}
		if strings.HasPrefix(st.uses.value, "docker://") {
			for _, vals := range []map[string]scalar{withValues(st), stepEnv(st)} {
				for _, v := range vals {
					if tokenRefRe.MatchString(v.value) {
						return needs, false
					}
				}
			}
			continue
		}
		a, ok := stepAction(st)
		switch {
		case !ok:
			return needs, false // local action or expression
		case a.is(readOnlyActions...):
		default:
			scopes, found := writerActions[a.name()]
			if !found {
				return needs, false
			}
			for _, s := range scopes {
				needs[s] = true
			}
		}
	}
	return needs, true
}

func (r excessivePermissionsRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if wf.ast == nil {
		return
	}
	var jobs []*job
	for _, j := range wf.jobs {
		if j.ast != nil {
			jobs = append(jobs, j)
		}
	}
	r.checkBroad(wf.ast.Permissions, "workflow", "the workflow", rep)
	for _, j := range jobs {
		r.checkBroad(j.ast.Permissions, "job:"+j.id.value, fmt.Sprintf("job %q", j.id.value), rep)
	}
	r.checkMissing(wf, jobs, rep)
	if t := wf.privilegedTrigger(); t != "" {
		r.checkIDToken(wf.ast.Permissions, "workflow", "the workflow", t, rep)
		for _, j := range jobs {
			r.checkIDToken(j.ast.Permissions, "job:"+j.id.value, fmt.Sprintf("job %q", j.id.value), t, rep)
		}
	}
	r.checkUnneeded(wf, jobs, rep)
}

// checkBroad reports write-all (high) and read-all (low).
func (excessivePermissionsRule) checkBroad(p *actionlint.Permissions, key, where string, rep *reporter) {
	if p == nil || p.All == nil {
		return
	}
	at := scalarOrEmpty(p.All).pos
	switch strings.ToLower(p.All.Value) {
	case "write-all":
		rep.report(finding.High, at, "write-all:"+key, fmt.Sprintf("%s grants \"permissions: write-all\", so its token can push code, publish packages and change releases, issues and settings; list only the scopes it uses, e.g. \"permissions: contents: read\"", where))
	case "read-all":
		rep.report(finding.Low, at, "read-all:"+key, fmt.Sprintf("%s grants \"permissions: read-all\", which reads every scope (packages, security events, actions ...); list only the scopes it reads, e.g. \"permissions: contents: read\"", where))
	}
}

// checkMissing reports jobs left with the default token. One finding at
// "on:" when no job and not the workflow sets permissions (the usual
// case, fixed in one place); otherwise one per job lacking them.
func (excessivePermissionsRule) checkMissing(wf *workflowFile, jobs []*job, rep *reporter) {
	if wf.ast.Permissions != nil || wf.reusableOnly() || len(jobs) == 0 {
		return
	}
	var lacking []*job
	for _, j := range jobs {
		if j.ast.Permissions == nil {
			lacking = append(lacking, j)
		}
	}
	risky := ""
	if t := wf.privilegedTrigger(); t != "" {
		risky = fmt.Sprintf(" (it runs on %s, which people without write access can start)", t)
	}
	switch {
	case len(lacking) == 0:
	case len(lacking) == len(jobs):
		rep.report(finding.Medium, wf.onPos(), "missing:workflow", "workflow sets no \"permissions:\", so every job gets the repository's default GITHUB_TOKEN permissions"+risky+"; add \"permissions: contents: read\" at the top and grant each job only the write scopes it uses")
	default:
		for _, j := range lacking {
			rep.report(finding.Medium, j.id.pos, "missing:job:"+j.id.value, fmt.Sprintf("job %q sets no \"permissions:\" and the workflow sets none, so it gets the repository's default GITHUB_TOKEN permissions%s; give it its own \"permissions:\" (e.g. contents: read) or set them at the top of the workflow", j.id.value, risky))
		}
	}
}

// checkIDToken reports "id-token: write" where outsiders start the run.
func (excessivePermissionsRule) checkIDToken(p *actionlint.Permissions, key, where, trigger string, rep *reporter) {
	if p == nil {
		return
	}
	s, ok := p.Scopes["id-token"]
	if !ok || s == nil || s.Value == nil || !strings.EqualFold(s.Value.Value, "write") {
		return
	}
	rep.report(finding.High, scalarOrEmpty(s.Value).pos, "id-token:"+key, fmt.Sprintf("%s grants \"id-token: write\" in a workflow that %s starts, so code or input from people without write access runs next to a token that can be exchanged for cloud credentials; move OIDC to a workflow triggered by push or release, or drop the scope", where, trigger))
}

// checkUnneeded reports write scopes no step of the jobs holding them
// appears to use. Only jobs made entirely of steps the rule understands
// are judged (see jobWrites), so an unknown step means no finding.
func (excessivePermissionsRule) checkUnneeded(wf *workflowFile, jobs []*job, rep *reporter) {
	type verdict struct {
		needs map[string]bool
		known bool
	}
	vs := map[*job]verdict{}
	for _, j := range jobs {
		n, k := jobWrites(wf, j)
		vs[j] = verdict{n, k}
	}
	for _, j := range jobs {
		v := vs[j]
		if j.ast.Permissions == nil || !v.known {
			continue
		}
		for _, name := range writeScopes(j.ast.Permissions) {
			if v.needs[name] {
				continue
			}
			s := j.ast.Permissions.Scopes[name]
			rep.report(finding.Medium, scalarOrEmpty(s.Value).pos, "unneeded:job:"+j.id.value+":"+name, fmt.Sprintf("job %q grants \"%s: write\" but none of its steps pushes, tags, releases or calls an action known to need it; grant \"%s: read\" (or drop it) and add write only to a job that uses it", j.id.value, name, name))
		}
	}
	p := wf.ast.Permissions
	if p == nil {
		return
	}
	var inheriting []*job
	for _, j := range jobs {
		if j.ast.Permissions == nil {
			if !vs[j].known {
				return
			}
			inheriting = append(inheriting, j)
		}
	}
	if len(inheriting) == 0 {
		return
	}
	for _, name := range writeScopes(p) {
		var users []string
		for _, j := range inheriting {
			if vs[j].needs[name] {
				users = append(users, j.id.value)
			}
		}
		at := scalarOrEmpty(p.Scopes[name].Value).pos
		switch {
		case len(users) == 0:
			rep.report(finding.Medium, at, "unneeded:workflow:"+name, fmt.Sprintf("the workflow grants \"%s: write\" to every job but none of them pushes, tags, releases or calls an action known to need it; grant \"%s: read\" (or drop it)", name, name))
		case len(users) < len(inheriting):
			rep.report(finding.Medium, at, "unneeded:workflow:"+name, fmt.Sprintf("the workflow grants \"%s: write\" to all %d jobs but only %s uses it; set \"%s: read\" at the top and \"%s: write\" in that job's own \"permissions:\"", name, len(inheriting), quoteJobs(users), name, name))
		}
	}
}

// writeScopes returns the judged scopes p grants write, sorted.
func writeScopes(p *actionlint.Permissions) []string {
	var out []string
	for name, s := range p.Scopes {
		if s == nil || s.Value == nil || !judgedScopes[name] || !strings.EqualFold(s.Value.Value, "write") {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func quoteJobs(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("job %q", id)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
