package audit

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/hubgates/hub/shared/finding"
)

// dangerousTriggersRule reports jobs of privileged workflows
// (pull_request_target, workflow_run, issue_comment, ...) that check out or
// run code an outsider wrote: the pull request's head, or an artifact the
// triggering run uploaded. Such a job runs that code with the base
// repository's token, secrets and caches ("pwn request"). A privileged
// workflow that only labels, comments or reads event metadata is fine and
// is not reported.
type dangerousTriggersRule struct{}

func (dangerousTriggersRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleDangerousTriggers,
		Severity: finding.Critical,
		Summary:  "Privileged workflow checks out or runs a pull request's code",
		Help: "pull_request_target, workflow_run and issue_comment workflows run with the base repository's " +
			"token, secrets and cache even when a fork set them off. Checking out the pull request's head " +
			"(head.sha, head.ref, github.head_ref, refs/pull/N/merge, workflow_run.head_sha, gh pr checkout) or " +
			"running an artifact the triggering run uploaded hands all of that to the pull request's author: " +
			"install scripts, build files, local actions and test suites run their code. Build and test pull " +
			"requests in an unprivileged \"pull_request\" workflow instead (read-only token, no secrets); if a " +
			"privileged step must follow, have it download that workflow's artifact and treat it strictly as " +
			"data (parse it, never execute or source it, extract it outside the workspace). Checking out the " +
			"base ref is safe. Severity is critical when the job can use secrets, has a token that can write " +
			"(or sets no permissions, so it may) or can mint OIDC tokens, high otherwise. A local reusable " +
			"workflow (on: workflow_call) runs under its callers' triggers, and is checked under them: the " +
			"finding is in the callee and names the callers.",
		HelpURI: helpBase + RuleDangerousTriggers,
	}
}

// untrustedStep is a step that brings outsider code into a privileged job
// or runs it.
type untrustedStep struct {
	index int // step index in the job
	// cmdOff is the offset of the offending command in a run: script, or
	// -1 when the step's uses: or with: is what offends.
	cmdOff int
	at     pos    // the offending value
	key    string // fingerprint key
	what   string // "checks out github.event.pull_request.head.sha"
	// exec says which later step runs code from the workspace, if any.
	exec string
}

// jobAnalysis is what analyzeJob learns about a privileged job.
type jobAnalysis struct {
	findings []untrustedStep
	// firstUntrusted is the index of the first step after which the
	// workspace may hold outsider code or artifacts; -1 when none does.
	firstUntrusted int
}

// untrustedBefore reports whether outsider code or artifacts may be in
// the workspace when step i runs.
func (a *jobAnalysis) untrustedBefore(i int) bool {
	return a.firstUntrusted >= 0 && a.firstUntrusted < i
}

// buildActions run code from the workspace (hooks, build files, install
// scripts) as part of what they do.
var buildActions = []string{
	"pre-commit/action", "oxsecurity/megalinter", "bridgecrewio/checkov-action",
	"docker/build-push-action", "docker/bake-action", "github/codeql-action/autobuild",
	"cypress-io/github-action", "gradle/gradle-build-action", "borales/actions-yarn",
}

// untrustedRefPrefixes are contexts that name a pull request's (or the
// triggering run's) head: its commit, branch, repository or merge commit.
var untrustedRefPrefixes = []string{
	"github.head_ref",
	"github.event.pull_request.head",
	"github.event.pull_request.merge_commit_sha",
	"github.event.workflow_run.head_sha",
	"github.event.workflow_run.head_branch",
	"github.event.workflow_run.head_commit",
	"github.event.workflow_run.head_repository",
	"github.event.workflow_run.pull_requests",
}

var (
	// refOutputRe matches step and job output names that carry a ref.
	refOutputRe = regexp.MustCompile(`(?i)(^|[_-])(head|ref|sha|branch|commit|pr)([_-]|$)|^(head|pr)`)
	pullRefRe   = regexp.MustCompile(`(?i)(^|[^a-z0-9_])(refs/)?pull/[^/\s"']+/(head|merge)\b`)
	// gitFetchSubs are git subcommands that bring a ref's code into the
	// workspace or the repository.
	gitFetchSubs = map[string]bool{
		"fetch": true, "pull": true, "checkout": true, "switch": true, "reset": true, "merge": true,
		"rebase": true, "clone": true, "worktree": true, "cherry-pick": true, "restore": true,
	}
)

// untrustedRef returns the context in n that names a pull request's head,
// following env.* to the expressions they were set from, or "". On
// issue_comment the payload has no head, so workflows look it up and
// pass it on as a step or job output: there, such outputs count too.
func untrustedRef(n actionlint.ExprNode, sc *exprScope, trig string, depth int) string {
	var paths []string
	valueFlows(n, &paths)
	for _, p := range paths {
		for _, pre := range untrustedRefPrefixes {
			if p == pre || strings.HasPrefix(p, pre+".") {
				return p
			}
		}
		segs := strings.Split(p, ".")
		switch segs[0] {
		case "env":
			if len(segs) < 2 || sc.env == nil || depth >= maxIndirection {
				continue
			}
			if v, ok := sc.env(segs[1]); ok {
				if r := untrustedRefIn(v, sc, trig, depth+1); r != "" {
					return p + " (set from " + r + ")"
				}
			}
		case "matrix":
			if len(segs) < 2 || sc.matrix == nil || depth >= maxIndirection {
				continue
			}
			for _, v := range sc.matrix(segs[1]) {
				if r := untrustedRefIn(v, sc, trig, depth+1); r != "" {
					return p + " (a matrix entry set from " + r + ")"
				}
			}
		case "steps", "needs":
			if len(segs) >= 3 && segs[2] != "outputs" && segs[2] != "*" {
				continue // outcome, conclusion, result
			}
			// On issue_comment any output used as a ref is the pull
			// request's, looked up from the comment; elsewhere an output
			// named for a head, ref, branch or SHA is.
			if trig == "issue_comment" || len(segs) >= 4 && refOutputRe.MatchString(segs[3]) {
				return p
			}
		}
	}
	return ""
}

// untrustedRefIn applies untrustedRef to every expression in s and to
// literal pull request refs (refs/pull/N/head).
func untrustedRefIn(s string, sc *exprScope, trig string, depth int) string {
	for _, e := range findExprs(s) {
		if r := untrustedRef(e.node, sc, trig, depth); r != "" {
			return r
		}
	}
	for _, t := range []string{maskExprs(s), s} {
		if m := pullRefRe.FindString(t); m != "" {
			return "the pull request ref " + strings.TrimLeft(m, " \t=:'\"(")
		}
	}
	return ""
}

// prFetch reports a command that fetches or checks out a pull request's
// code: gh pr checkout, or a git fetch/checkout/... of a pull request ref,
// of the head branch ($GITHUB_HEAD_REF) or of an expression or variable
// naming the head.
func prFetch(c shellCmd, sc *exprScope, trig string) string {
	ws := c.words()
	if len(ws) == 0 {
		return ""
	}
	prog := strings.ToLower(ws[0])
	args := ws[1:]
	if prog == "gh" && len(args) >= 2 && args[0] == "pr" && args[1] == "checkout" {
		return "runs " + quoteCmd(c.text)
	}
	if prog != "git" {
		return ""
	}
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		if (args[0] == "-C" || args[0] == "-c") && len(args) > 1 {
			args = args[1:]
		}
		args = args[1:]
	}
	if len(args) == 0 || !gitFetchSubs[args[0]] {
		return ""
	}
	if r := untrustedRefIn(c.text, sc, trig, 0); r != "" {
		return fmt.Sprintf("runs %s, which fetches %s", quoteCmd(c.text), r)
	}
	for _, vm := range shellVarRe.FindAllStringSubmatch(c.masked, -1) {
		name := vm[1] + vm[2] + vm[3]
		if name == "GITHUB_HEAD_REF" {
			return fmt.Sprintf("runs %s, which fetches $GITHUB_HEAD_REF (the pull request's branch)", quoteCmd(c.text))
		}
		if name == "" || sc.env == nil {
			continue
		}
		if v, ok := sc.env(name); ok {
			if r := untrustedRefIn(v, sc, trig, 1); r != "" {
				return fmt.Sprintf("runs %s, which fetches $%s (set from %s)", quoteCmd(c.text), name, r)
			}
		}
	}
	return ""
}

// downloadsRunArtifact reports a step that downloads artifacts of another
// workflow run (the one that triggered workflow_run, or any run chosen by
// id): actions/download-artifact with run-id, dawidd6/action-download-
// artifact, github-script calling downloadArtifact, gh run download.
func downloadsRunArtifact(sv *stepView) string {
	switch {
	case sv.usesAny("actions/download-artifact") && sv.with["run-id"] != nil:
		return "downloads artifacts of run " + sv.with["run-id"].value
	case sv.usesAny("dawidd6/action-download-artifact"):
		return "downloads another workflow run's artifacts with dawidd6/action-download-artifact"
	case sv.usesAny("actions/github-script") && sv.with["script"] != nil && strings.Contains(sv.with["script"].value, "downloadArtifact"):
		return "downloads another workflow run's artifacts with github-script"
	case sv.run != nil:
		for _, c := range sv.commands() {
			ws := c.words()
			if len(ws) >= 3 && strings.EqualFold(ws[0], "gh") && ws[1] == "run" && ws[2] == "download" {
				return "runs " + quoteCmd(c.text)
			}
		}
	}
	return ""
}

// execStep says how step sv runs code from the workspace, with the
// position and text of the command, or "" when it does not. For a run:
// step only commands starting after byte offset after count; a uses:
// step counts only when after is negative (the whole step).
func execStep(ix *srcIndex, sv *stepView, after int) (string, pos, string) {
	switch {
	case sv.run != nil:
		if c := sv.firstExecAfter(after); c != nil {
			return "runs " + quoteCmd(c.text), ix.locate(sv.run, c.off), c.text
		}
	case after >= 0:
	case sv.local:
		return "runs the local action " + sv.uses.value, sv.uses.pos, sv.uses.value
	case sv.usesAny(buildActions...):
		return "runs " + sv.action + ", which builds the workspace", sv.uses.pos, sv.uses.value
	case sv.usesAny("ruby/setup-ruby") && sv.with["bundler-cache"] != nil && strings.EqualFold(sv.with["bundler-cache"].value, "true"):
		return "runs ruby/setup-ruby with bundler-cache, which runs bundle install", sv.uses.pos, sv.uses.value
	}
	return "", pos{}, ""
}

// extractsHere returns a command of sv that unpacks an archive into the
// current directory (unzip without -d, tar x without -C), or nil.
func extractsHere(sv *stepView) *shellCmd {
	cmds := sv.commands()
	for k, c := range cmds {
		ws := c.words()
		if len(ws) == 0 {
			continue
		}
		switch strings.ToLower(ws[0]) {
		case "unzip":
			if !slices.ContainsFunc(ws[1:], func(a string) bool {
				return a == "-d" || strings.HasPrefix(a, "-d") && len(a) > 2 && !strings.HasPrefix(a, "--")
			}) {
				return &cmds[k]
			}
		case "tar":
			extract, dir := false, false
			for j, a := range ws[1:] {
				switch {
				case a == "-C" || strings.HasPrefix(a, "--directory"):
					dir = true
				case strings.HasPrefix(a, "--extract") || strings.HasPrefix(a, "--get"):
					extract = true
				case strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") || j == 0 && !strings.HasPrefix(a, "-"):
					extract = extract || strings.Contains(a, "x")
					dir = dir || strings.Contains(strings.TrimLeft(a, "-"), "C")
				}
			}
			if extract && !dir {
				return &cmds[k]
			}
		}
	}
	return nil
}

// analyzeJob walks a job of a workflow with privileged trigger trig and
// finds the steps that check out or run outsider code. Jobs and steps
// whose "if:" admits only same-repository pull requests, merged pull
// requests or non-PR workflow_run events are skipped.
func analyzeJob(v *workflowView, jv *jobView, trig string) *jobAnalysis {
	a := &jobAnalysis{firstUntrusted: -1}
	if jv.j.ast == nil || v.guardedCond(jv.j.ast.If) {
		return a
	}
	mark := func(i int) {
		if a.firstUntrusted < 0 {
			a.firstUntrusted = i
		}
	}
	artifact, artifactWhat := -1, ""
	checkedOut := false
	for i, sv := range jv.steps {
		if sv.cond != nil && guarded(sv.cond.value) {
			continue
		}
		sc := v.scope(jv, sv)
		if sv.usesAny("actions/checkout") {
			for _, in := range []string{"ref", "repository"} {
				val := sv.with[in]
				if val == nil {
					continue
				}
				if r := untrustedRefIn(val.value, sc, trig, 0); r != "" {
					a.findings = append(a.findings, untrustedStep{
						index: i, cmdOff: -1, at: val.pos, key: "checkout " + in + ": " + val.value,
						what: fmt.Sprintf("checks out %s (%s: %s)", r, in, strings.TrimSpace(val.value)),
					})
					mark(i)
					break
				}
			}
		}
		for _, c := range sv.commands() {
			if what := prFetch(c, sc, trig); what != "" {
				a.findings = append(a.findings, untrustedStep{index: i, cmdOff: c.off, at: v.ix.locate(sv.run, c.off), key: c.text, what: what})
				mark(i)
			}
		}
		if artifact >= 0 && i > artifact {
			what, at, key := execStep(v.ix, sv, -1)
			if what == "" && checkedOut {
				if c := extractsHere(sv); c != nil {
					what, at, key = "extracts "+quoteCmd(c.text)+" into the workspace over the checked-out repository, whose scripts and hooks later steps run,", v.ix.locate(sv.run, c.off), c.text
				}
			}
			if what != "" {
				a.findings = append(a.findings, untrustedStep{
					index: i, cmdOff: -1, at: at, key: "artifact: " + key,
					what: fmt.Sprintf("%s after step %d %s", what, artifact+1, artifactWhat),
				})
				artifact = -2 // one finding per job: the first step that runs it
			}
		}
		checkedOut = checkedOut || sv.usesAny("actions/checkout")
		if artifact == -1 {
			if what := downloadsRunArtifact(sv); what != "" {
				artifact, artifactWhat = i, what
				mark(i)
			}
		}
	}
	// Say which later step runs the checked-out code.
	for k := range a.findings {
		f := &a.findings[k]
		if strings.HasPrefix(f.key, "artifact: ") {
			continue
		}
		for i := f.index; i < len(jv.steps); i++ {
			after := -1
			if i == f.index {
				if f.cmdOff < 0 {
					continue // the checkout step itself
				}
				after = f.cmdOff
			}
			what, at, _ := execStep(v.ix, jv.steps[i], after)
			if what == "" {
				continue
			}
			f.exec = fmt.Sprintf("line %d then %s", at.line, what)
			break
		}
	}
	return a
}

func (r dangerousTriggersRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	trig := wf.privilegedTrigger()
	if trig == "" || wf.ast == nil {
		return
	}
	if rep.wants(PersonaAuditor) && len(wf.inherited) == 0 {
		for _, t := range wf.triggers() {
			if t == "pull_request_target" || t == "workflow_run" {
				rep.report(finding.Medium, wf.onPos(), "trigger:"+t, fmt.Sprintf("this workflow runs on %s, which runs with the base repository's token and secrets while people without write access choose the pull request or run that sets it off; make sure no step reads, checks out or runs their code or data, or use pull_request", t))
			}
		}
	}
	v := newWorkflowView(wf)
	for _, jv := range v.jobs {
		a := analyzeJob(v, jv, trig)
		if len(a.findings) == 0 {
			continue
		}
		sev, reach := v.jobReach(jv)
		for _, f := range a.findings {
			then := "install scripts, build files, hooks and local actions in it run the author's code"
			if f.exec != "" {
				then = f.exec
			}
			if strings.HasPrefix(f.key, "artifact: ") {
				then = "the artifact is whatever the triggering run, which a fork controls, uploaded"
			}
			msg := fmt.Sprintf("job %q runs on %s and %s; %s, while %s; build and test pull requests in an unprivileged pull_request workflow and pass only data to this one (parse artifacts, never execute them), or check out the base ref",
				jv.j.id.value, trig, f.what, then, reach)
			rep.report(sev, f.at, f.key, msg)
		}
	}
}

// guardedCond is guarded for an optional "if:".
func (v *workflowView) guardedCond(s *actionlint.String) bool {
	return s != nil && guarded(s.Value)
}

// guarded reports whether an "if:" condition requires, in a top-level
// "&&" chain, that the pull request comes from the base repository itself
// (head.repo.full_name == github.repository, head.repo.fork == false),
// that it was merged, or that the workflow_run was not started by a pull
// request (workflow_run.event == 'push'). Code such jobs check out was
// written or accepted by people with write access.
func guarded(cond string) bool {
	n := parseCondition(cond)
	if n == nil {
		return false
	}
	var conj []actionlint.ExprNode
	var flatten func(actionlint.ExprNode)
	flatten = func(n actionlint.ExprNode) {
		if l, ok := n.(*actionlint.LogicalOpNode); ok && l.Kind == actionlint.LogicalOpNodeKindAnd {
			flatten(l.Left)
			flatten(l.Right)
			return
		}
		conj = append(conj, n)
	}
	flatten(n)
	for _, c := range conj {
		if isGuard(c) {
			return true
		}
	}
	return false
}

var (
	headRepoPaths = map[string]bool{
		"github.event.pull_request.head.repo.full_name":       true,
		"github.event.workflow_run.head_repository.full_name": true,
	}
	forkPaths = map[string]bool{
		"github.event.pull_request.head.repo.fork":       true,
		"github.event.workflow_run.head_repository.fork": true,
	}
)

func isGuard(n actionlint.ExprNode) bool {
	switch n := n.(type) {
	case *actionlint.CompareOpNode:
		for _, sides := range [][2]actionlint.ExprNode{{n.Left, n.Right}, {n.Right, n.Left}} {
			p, other := exprPath(sides[0]), sides[1]
			op := exprPath(other)
			str, isStr := other.(*actionlint.StringNode)
			b, isBool := other.(*actionlint.BoolNode)
			switch n.Kind {
			case actionlint.CompareOpNodeKindEq:
				switch {
				case headRepoPaths[p] && (op == "github.repository" || isStr):
					return true
				case forkPaths[p] && isBool && !b.Value:
					return true
				case p == "github.event.pull_request.merged" && isBool && b.Value:
					return true
				case p == "github.event.workflow_run.event" && isStr && !strings.HasPrefix(strings.ToLower(str.Value), "pull_request"):
					return true
				}
			case actionlint.CompareOpNodeKindNotEq:
				if forkPaths[p] && isBool && b.Value {
					return true
				}
			}
		}
	case *actionlint.NotOpNode:
		return forkPaths[exprPath(n.Operand)]
	default:
		return exprPath(n) == "github.event.pull_request.merged"
	}
	return false
}

// jobReach grades what a job can reach: critical when it can use secrets
// (other than the job token), when its token can write, when it sets no
// permissions (the repository default may be write), or when it can mint
// OIDC tokens; high otherwise. The string says why, for messages.
func (v *workflowView) jobReach(jv *jobView) (finding.Severity, string) {
	if s := v.secretUse(jv); s != "" {
		return finding.Critical, "the job can read " + s
	}
	perms, where := jv.j.ast.Permissions, "the job's"
	if perms == nil {
		perms, where = v.wf.ast.Permissions, "the workflow's"
	}
	if perms == nil {
		return finding.Critical, "neither the job nor the workflow sets permissions, so its token gets the repository's default, which may be write access"
	}
	if perms.All != nil {
		if strings.EqualFold(strings.TrimSpace(perms.All.Value), "write-all") || containsExpression(perms.All.Value) {
			return finding.Critical, where + " token has " + perms.All.Value
		}
	}
	var writes []string
	for name, s := range perms.Scopes {
		if s == nil || s.Value == nil {
			continue
		}
		if val := strings.TrimSpace(s.Value.Value); strings.EqualFold(val, "write") || containsExpression(val) {
			writes = append(writes, name+": "+val)
		}
	}
	if len(writes) > 0 {
		sort.Strings(writes)
		return finding.Critical, where + " token has " + strings.Join(writes, ", ")
	}
	return finding.High, "its token is read-only and it uses no secrets (it still runs in the base repository's context, with its caches)"
}

// secretUse returns the first secret (other than the job token) the job
// or the workflow's env references, as "secrets.NAME", or "".
func (v *workflowView) secretUse(jv *jobView) string {
	var strs []*actionlint.String
	collectStrings(reflect.ValueOf(jv.j.ast), &strs, 0)
	collectStrings(reflect.ValueOf(v.wf.ast.Env), &strs, 0)
	for _, s := range strs {
		for _, e := range findExprs(s.Value) {
			var paths []string
			allPaths(e.node, &paths)
			for _, p := range paths {
				if p == "secrets" || strings.HasPrefix(p, "secrets.") && p != "secrets.github_token" {
					return p
				}
			}
		}
	}
	return ""
}

var stringType = reflect.TypeOf(actionlint.String{})

// collectStrings appends every *actionlint.String reachable from v (a
// job, an env block): run scripts, with: inputs, env values, conditions,
// container credentials. actionlint's tree has no cycles; depth bounds
// the walk anyway.
func collectStrings(v reflect.Value, out *[]*actionlint.String, depth int) {
	if depth > 32 || !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer && v.Elem().Type() == stringType {
			*out = append(*out, v.Interface().(*actionlint.String))
			return
		}
		collectStrings(v.Elem(), out, depth+1)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				collectStrings(v.Field(i), out, depth+1)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			collectStrings(v.Index(i), out, depth+1)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			collectStrings(it.Value(), out, depth+1)
		}
	}
}
