package audit

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// artipackedRule reports actions/checkout steps that leave the job's token
// in .git/config (persist-credentials defaults to true) in jobs where that
// file can leave the runner: an artifact upload, or pull request code run
// by a privileged trigger.
type artipackedRule struct{}

func (artipackedRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleArtipacked,
		Severity: finding.Medium,
		Summary:  "Checkout leaves the token in .git/config where artifacts or untrusted code can reach it",
		Help: "actions/checkout writes the job's token into .git/config unless told not to. An artifact " +
			"uploaded from the workspace (path \".\" or ${{ github.workspace }}) then carries it to anyone who " +
			"can download the artifact, and pull request code checked out by pull_request_target or " +
			"workflow_run can read it. Uploads of folders outside the workspace (/tmp, ${{ runner.temp }}) " +
			"are not reported; uploads of part of the workspace are reported with the pedantic persona, and " +
			"every checkout that keeps its credentials with the auditor persona. Add \"with: persist-credentials: false\" to every checkout that does " +
			"not push, upload only the build output directory, and keep include-hidden-files off.",
		HelpURI: helpBase + RuleArtipacked,
	}
}

var (
	// prHeadRe matches checkout refs and repositories that fetch the pull
	// request's own code rather than the base branch.
	prHeadRe = regexp.MustCompile(`(?i)github\.event\.pull_request\.head\.(sha|ref|repo)|github\.head_ref|github\.event\.workflow_run\.head_(sha|branch|repository)|refs/pull/`)
	// workspaceRe matches upload paths that cover the whole workspace.
	workspaceRe = regexp.MustCompile(`^(\.|\./|\.\.|\.\./|\*|\./\*|\*\*|\./\*\*|\*\*/\*|\$\{\{\s*github\.workspace\s*\}\}/?|\$GITHUB_WORKSPACE/?|\$\{GITHUB_WORKSPACE\}/?)$`)
	// outsideRe matches upload paths outside the workspace: absolute
	// paths (other than the workspace's own), the home folder and the
	// runner's temporary and tool folders.
	outsideRe = regexp.MustCompile(`^(!|/|~|\$\{\{\s*runner\.(temp|tool_cache)\s*\}\}|\$\{?(RUNNER_TEMP|RUNNER_TOOL_CACHE|HOME)\b)`)
)

// uploadScope classifies an upload's path input: "whole" (the whole
// workspace, .git included), "outside" (nothing in the workspace: /tmp,
// the runner's temp folder, exclusions), or "inside" (part of it).
func uploadScope(path string) (scope, whole string) {
	scope = "outside"
	for _, line := range strings.Split(path, "\n") {
		l := strings.TrimSpace(line)
		switch {
		case l == "":
		case workspaceRe.MatchString(l):
			return "whole", l
		case strings.Contains(l, "github.workspace") || strings.Contains(l, "GITHUB_WORKSPACE"):
			scope = "inside"
		case !outsideRe.MatchString(l):
			scope = "inside"
		}
	}
	return scope, ""
}

// uploadActions upload files from the workspace as artifacts.
var uploadActions = []string{"actions/upload-artifact", "actions/upload-pages-artifact"}

func (r artipackedRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	trigger := wf.privilegedTrigger()
	for _, j := range wf.jobs {
		r.check(j.steps, trigger, rep)
	}
}

func (r artipackedRule) checkAction(a *actionFile, rep *reporter) {
	r.check(a.steps, "", rep)
}

// check reports, once per persisting checkout, the worst way its token
// can leave: a later upload of the whole workspace (high), a later upload
// of part of it (medium), or pull request code checked out in a job a
// privileged trigger runs (medium).
func (artipackedRule) check(steps []*step, trigger string, rep *reporter) {
	type upload struct {
		at    int
		line  int
		whole string
	}
	var uploads []upload
	prHead := false
	for i, st := range steps {
		a, ok := stepAction(st)
		switch {
		case !ok:
		case a.is(uploadActions...):
			u := upload{at: i, line: st.uses.pos.line}
			scope := "inside"
			switch p := withValue(st, "path"); {
			case p != nil:
				scope, u.whole = uploadScope(p.value)
			case a.is("actions/upload-pages-artifact"):
				scope = "inside" // its default path is _site
			}
			if scope == "outside" {
				continue // /tmp/kind/logs cannot hold .git/config
			}
			uploads = append(uploads, u)
		case a.is("actions/checkout"):
			for _, in := range []string{"ref", "repository"} {
				if v := withValue(st, in); v != nil && prHeadRe.MatchString(v.value) {
					prHead = true
				}
			}
		}
	}
	for i, st := range steps {
		a, ok := stepAction(st)
		if !ok || !a.is("actions/checkout") {
			continue
		}
		if p := withValue(st, "persist-credentials"); p != nil && (strings.EqualFold(strings.TrimSpace(p.value), "false") || containsExpression(p.value)) {
			continue // off, or decided at run time
		}
		var later, whole *upload
		for k := range uploads {
			u := &uploads[k]
			if u.at <= i {
				continue
			}
			if later == nil {
				later = u
			}
			if whole == nil && u.whole != "" {
				whole = u
			}
		}
		v := st.uses.value
		switch {
		case whole != nil:
			rep.report(finding.High, st.uses.pos, "upload-workspace:"+v, fmt.Sprintf("actions/checkout keeps the job's token in .git/config (persist-credentials is not false) and the upload at line %d takes the whole workspace (path %q), .git included; set \"persist-credentials: false\" and upload only the build output", whole.line, whole.whole))
		case later != nil && rep.wants(PersonaPedantic):
			rep.report(finding.Medium, st.uses.pos, "upload:"+v, fmt.Sprintf("actions/checkout keeps the job's token in .git/config (persist-credentials is not false) in a job that uploads artifacts (line %d); set \"persist-credentials: false\" so no artifact can carry it", later.line))
		case trigger != "" && prHead:
			rep.report(finding.Medium, st.uses.pos, "untrusted:"+v, fmt.Sprintf("actions/checkout keeps the job's token in .git/config (persist-credentials is not false) in a job that checks out pull request code on %s, where that code can read it; set \"persist-credentials: false\"", trigger))
		case rep.wants(PersonaAuditor):
			rep.report(finding.Low, st.uses.pos, "persisted:"+v, "actions/checkout keeps the job's token in .git/config (persist-credentials is not false), where every later step and tool of the job can read it; set \"persist-credentials: false\" unless a later step pushes with it")
		}
	}
}
