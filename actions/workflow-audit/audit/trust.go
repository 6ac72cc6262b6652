package audit

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
)

// This file is the trust model the security rules share: which triggers
// run with the base repository's secrets and a writable token while
// someone outside the repository chooses what happens, which triggers a
// fork can start, and which workflows publish.

// privilegedTriggers run in the context of the base repository (secrets,
// a token that can write, the default branch's cache scope) but can be set
// off, and fed data, by people without write access.
var privilegedTriggers = map[string]bool{
	"pull_request_target":         true,
	"workflow_run":                true,
	"issue_comment":               true,
	"issues":                      true,
	"discussion":                  true,
	"discussion_comment":          true,
	"pull_request_review":         false, // from a fork: read-only token, no secrets
	"pull_request_review_comment": false,
}

// forkTriggers are started by someone without write access: a pull request
// from a fork, or a comment, issue or discussion anyone can open. On a
// self-hosted runner they run an outsider's code or data on the host.
var forkTriggers = map[string]bool{
	"pull_request":                true,
	"pull_request_target":         true,
	"pull_request_review":         true,
	"pull_request_review_comment": true,
	"issue_comment":               true,
	"issues":                      true,
	"discussion":                  true,
	"discussion_comment":          true,
	"workflow_run":                true,
	"fork":                        true,
	"watch":                       true,
}

// triggers returns the names of the events that start wf, in source order.
func (wf *workflowFile) triggers() []string {
	if wf.ast == nil {
		return nil
	}
	var out []string
	for _, e := range wf.ast.On {
		out = append(out, e.EventName())
	}
	for _, t := range wf.inherited {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// hasTrigger reports whether wf runs on any of the named events.
func (wf *workflowFile) hasTrigger(names ...string) bool {
	for _, t := range wf.triggers() {
		for _, n := range names {
			if t == n {
				return true
			}
		}
	}
	return false
}

// privilegedTrigger returns the first privileged trigger of wf, or "".
func (wf *workflowFile) privilegedTrigger() string {
	for _, t := range wf.triggers() {
		if privilegedTriggers[t] {
			return t
		}
	}
	return ""
}

// forkTrigger returns the first trigger of wf a fork or an outsider can
// start, or "".
func (wf *workflowFile) forkTrigger() string {
	for _, t := range wf.triggers() {
		if forkTriggers[t] {
			return t
		}
	}
	return ""
}

// publishReason says why wf counts as a release or deploy workflow, in the
// words a message can use ("it runs on release", "job deploy deploys to
// environment prod", ...), or "" when it does not publish. A workflow
// publishes when it runs on a release, a package or deployment event or a
// tag push, when a job deploys to an environment, or when a step uses a
// publishing action or runs a publishing command (npm publish, cargo
// publish without --dry-run, twine upload, docker push, gh release
// create...). The workflow's name is not evidence: "check-releases.yml"
// publishes nothing. Such workflows hold the credentials an attacker
// wants most.
func (wf *workflowFile) publishReason() string {
	if wf.ast == nil {
		return ""
	}
	if r := wf.triggerPublishReason(); r != "" {
		return r
	}
	for _, j := range wf.jobs {
		if r := j.publishReason(); r != "" {
			return "job " + j.id.value + " " + r
		}
	}
	return ""
}

// triggerPublishReason is the event and environment part of
// publishReason.
func (wf *workflowFile) triggerPublishReason() string {
	for _, e := range wf.ast.On {
		ev, ok := e.(*actionlint.WebhookEvent)
		if !ok || ev.Hook == nil {
			continue
		}
		switch ev.Hook.Value {
		case "release", "registry_package", "deployment":
			return "it runs on " + ev.Hook.Value
		case "push":
			// A tag push is a release when the workflow runs only on
			// tags and releases, or when one of its jobs publishes; CI
			// that also runs on tags is left to weakPublishReason.
			if ev.Tags != nil && len(ev.Tags.Values) > 0 && (wf.tagOnly() || wf.jobsPublish()) {
				return "it runs on tag pushes"
			}
		}
	}
	for _, j := range wf.jobs {
		if j.ast != nil && j.ast.Environment != nil {
			env := "an environment"
			if j.ast.Environment.Name != nil && j.ast.Environment.Name.Value != "" {
				env = "environment " + j.ast.Environment.Name.Value
			}
			return "job " + j.id.value + " deploys to " + env
		}
	}
	return ""
}

// releaseBranchReason says, when wf runs on tag pushes or on pushes to
// branches named for releases (release-*, release/*) without publishing
// anything, that it does, or "". zizmor counts those as publishing; on
// real repositories they are mostly CI and CodeQL runs on tags and
// maintenance branches (which then carry "zizmor: ignore" comments), so
// the rules count them only with the pedantic persona.
func (wf *workflowFile) releaseBranchReason() string {
	if wf.ast == nil {
		return ""
	}
	for _, e := range wf.ast.On {
		ev, ok := e.(*actionlint.WebhookEvent)
		if !ok || ev.Hook == nil || ev.Hook.Value != "push" {
			continue
		}
		if ev.Tags != nil && len(ev.Tags.Values) > 0 {
			return "it runs on tag pushes"
		}
		if ev.Branches == nil {
			continue
		}
		for _, b := range ev.Branches.Values {
			if b != nil && strings.Contains(strings.ToLower(b.Value), "release") {
				return "it runs on pushes to release branches (" + b.Value + ")"
			}
		}
	}
	return ""
}

// jobsPublish reports whether a job of wf publishes with a known action
// or command.
func (wf *workflowFile) jobsPublish() bool {
	for _, j := range wf.jobs {
		if j.publishReason() != "" {
			return true
		}
	}
	return false
}

// tagOnly reports whether wf runs only on tag pushes and releases.
func (wf *workflowFile) tagOnly() bool {
	if wf.ast == nil || len(wf.ast.On) == 0 {
		return false
	}
	for _, e := range wf.ast.On {
		ev, ok := e.(*actionlint.WebhookEvent)
		if !ok || ev.Hook == nil {
			return false
		}
		switch {
		case ev.Hook.Value == "release":
		case ev.Hook.Value == "push" && ev.Tags != nil && len(ev.Tags.Values) > 0 && (ev.Branches == nil || len(ev.Branches.Values) == 0):
		default:
			return false
		}
	}
	return true
}

// eventPublishReason is publishReason without the jobs' steps: a release,
// package or deployment event, a tag push, a push to a release branch or
// a deployment environment, which make every job of the workflow part of
// a release.
func (wf *workflowFile) eventPublishReason() string {
	if wf.ast == nil {
		return ""
	}
	return wf.triggerPublishReason()
}

// publishReason says how job j publishes ("publishes with <action> (line
// N)", "runs `npm publish` (line N)"), or "".
func (j *job) publishReason() string {
	if st := j.publisherStep(); st != nil {
		return fmt.Sprintf("publishes with %s (line %d)", st.uses.value, st.uses.pos.line)
	}
	if cmd, line := j.publishCommand(); cmd != "" {
		return fmt.Sprintf("runs %s (line %d)", quoteCmd(cmd), line)
	}
	return ""
}

// reusableOnly reports whether wf runs only when another workflow calls it
// ("on: workflow_call" and nothing else): its token permissions and
// concurrency are then the caller's to set. Only the file's own triggers
// count: when the callee is checked again under its callers' triggers it
// is still a reusable workflow.
func (wf *workflowFile) reusableOnly() bool {
	if wf.ast == nil {
		return false
	}
	var ts []string
	for _, e := range wf.ast.On {
		ts = append(ts, e.EventName())
	}
	for _, t := range ts {
		if t != "workflow_call" {
			return false
		}
	}
	return len(ts) > 0
}

// publisherActions publish what a job built: packages, releases, images,
// deployments. A job that uses one publishes even when the workflow's
// triggers do not say so.
var publisherActions = []string{
	"pypa/gh-action-pypi-publish",
	"rubygems/release-gem",
	"jreleaser/release-action",
	"goreleaser/goreleaser-action",
	"softprops/action-gh-release",
	"ncipollo/release-action",
	"release-drafter/release-drafter",
	"googleapis/release-please-action",
	"docker/build-push-action",
	"redhat-actions/push-to-registry",
	"aws-actions/amazon-ecs-deploy-task-definition",
	"aws-actions/aws-cloudformation-github-deploy",
	"azure/container-apps-deploy-action",
	"azure/functions-action",
	"azure/webapps-deploy",
	"cloudflare/wrangler-action",
	"google-github-actions/deploy-appengine",
	"google-github-actions/deploy-cloudrun",
	"google-github-actions/deploy-cloud-functions",
	"actions/deploy-pages",
}

// publisherStep returns the first step of j that uses a publishing action,
// or nil. docker/build-push-action counts only when it pushes.
func (j *job) publisherStep() *step {
	for _, st := range j.steps {
		a, ok := stepAction(st)
		if !ok || !a.is(publisherActions...) {
			continue
		}
		if a.is("docker/build-push-action") {
			if p := withValue(st, "push"); p == nil || !strings.EqualFold(p.value, "true") {
				continue
			}
		}
		return st
	}
	return nil
}

// actionRef is a parsed "owner/repo[/path]@ref" reference to an action or a
// reusable workflow in another repository.
type actionRef struct {
	owner, repo, path string
	ref               string // "" when the value has no "@ref"
}

// parseActionRef parses a "uses:" value naming another repository. It
// reports false for local ("./...") actions, "docker://" images,
// expressions and anything that is not "owner/repo[/path][@ref]".
func parseActionRef(v string) (actionRef, bool) {
	if strings.HasPrefix(v, "./") || strings.HasPrefix(v, "docker://") || containsExpression(v) {
		return actionRef{}, false
	}
	name, ref, _ := strings.Cut(v, "@")
	owner, rest, _ := strings.Cut(name, "/")
	repo, p, _ := strings.Cut(rest, "/")
	if owner == "" || repo == "" || strings.ContainsAny(v, " \t") {
		return actionRef{}, false
	}
	return actionRef{owner: owner, repo: repo, path: p, ref: ref}, true
}

// repository returns "owner/repo" in lower case.
func (a actionRef) repository() string { return strings.ToLower(a.owner + "/" + a.repo) }

// name returns "owner/repo[/path]" in lower case.
func (a actionRef) name() string {
	if a.path == "" {
		return a.repository()
	}
	return a.repository() + "/" + strings.ToLower(a.path)
}

// is reports whether a is one of the named actions ("owner/repo" or
// "owner/repo/path"), compared case-insensitively and exactly: "actions/cache"
// is not "actions/cache/save".
func (a actionRef) is(names ...string) bool {
	n := a.name()
	for _, want := range names {
		if strings.EqualFold(n, want) {
			return true
		}
	}
	return false
}

// pinned reports whether the ref is a full commit SHA.
func (a actionRef) pinned() bool { return upperSHARe.MatchString(a.ref) }

// stepAction parses the action a step uses; false for "run:" steps and
// uses: values that do not name another repository.
func stepAction(st *step) (actionRef, bool) {
	if st.uses == nil {
		return actionRef{}, false
	}
	return parseActionRef(st.uses.value)
}

// withValues returns a step's "with:" inputs by lower-cased name, for
// workflow steps and composite action steps alike.
func withValues(st *step) map[string]scalar {
	out := map[string]scalar{}
	switch {
	case st.ast != nil:
		if ea, ok := st.ast.Exec.(*actionlint.ExecAction); ok {
			for name, in := range ea.Inputs {
				if in == nil || in.Value == nil {
					continue
				}
				out[strings.ToLower(name)] = scalarOrEmpty(in.Value)
			}
		}
	case st.node != nil:
		_, with := mappingValue(st.node, "with")
		forEachPair(with, func(k string, v *yaml.Node) {
			if s := scalarOf(v); s != nil {
				out[strings.ToLower(k)] = *s
			}
		})
	}
	return out
}

// withValue returns one "with:" input of a step, or nil.
func withValue(st *step, name string) *scalar {
	if s, ok := withValues(st)[strings.ToLower(name)]; ok {
		return &s
	}
	return nil
}

// runScript returns a step's "run:" script, or nil.
func runScript(st *step) *scalar {
	switch {
	case st.ast != nil:
		if er, ok := st.ast.Exec.(*actionlint.ExecRun); ok && er.Run != nil {
			s := scalarOrEmpty(er.Run)
			return &s
		}
	case st.node != nil:
		_, run := mappingValue(st.node, "run")
		return scalarOf(run)
	}
	return nil
}

// envValues returns the variables of an "env:" block by name as written.
func envValues(env *actionlint.Env) map[string]scalar {
	out := map[string]scalar{}
	if env == nil {
		return out
	}
	for _, v := range env.Vars {
		if v == nil || v.Name == nil || v.Value == nil {
			continue
		}
		out[v.Name.Value] = scalarOrEmpty(v.Value)
	}
	return out
}

// stepEnv returns a step's own "env:" variables.
func stepEnv(st *step) map[string]scalar {
	if st.ast != nil {
		return envValues(st.ast.Env)
	}
	out := map[string]scalar{}
	if st.node != nil {
		_, env := mappingValue(st.node, "env")
		forEachPair(env, func(k string, v *yaml.Node) {
			if s := scalarOf(v); s != nil {
				out[k] = *s
			}
		})
	}
	return out
}

// scalarOrEmpty converts an actionlint string, keeping empty values.
func scalarOrEmpty(s *actionlint.String) scalar {
	out := scalar{value: s.Value}
	if s.Pos != nil {
		out.pos = pos{s.Pos.Line, s.Pos.Col}
	}
	return out
}

// forEachPair calls fn for every scalar key of mapping n.
func forEachPair(n *yaml.Node, fn func(key string, val *yaml.Node)) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if kn := deref(n.Content[i]); kn != nil && kn.Kind == yaml.ScalarNode {
			fn(kn.Value, deref(n.Content[i+1]))
		}
	}
}

// rawKey finds a key by its path of mapping keys (compared
// case-insensitively) in wf's YAML and returns the key and value nodes;
// actionlint's tree does not keep every key's position. Both are nil when
// the path does not exist or the file does not parse.
func (wf *workflowFile) rawKey(path ...string) (key, val *yaml.Node) {
	val = wf.rawRoot()
	if val == nil {
		return nil, nil
	}
	for _, p := range path {
		key, val = mappingValue(val, p)
		if key == nil {
			return nil, nil
		}
	}
	return key, val
}

// onKeyRe finds a top-level "on:" key written plainly at the start of a
// line.
var onKeyRe = regexp.MustCompile(`(?m)^(?:on|"on"|'on')[ \t]*:`)

// onPos returns the position of the workflow's "on:" key, for findings
// about the workflow as a whole; the first trigger, or 1:1, when the key
// cannot be found.
func (wf *workflowFile) onPos() pos {
	// Most workflows write the key at the start of a line; finding it
	// there spares a second parse of the whole file.
	if m := onKeyRe.FindIndex(wf.src); m != nil {
		return pos{bytes.Count(wf.src[:m[0]], []byte("\n")) + 1, 1}
	}
	if k, _ := wf.rawKey("on"); k != nil {
		return nodePos(k)
	}
	if wf.ast != nil {
		for _, e := range wf.ast.On {
			if p := eventPos(e); p != nil {
				return pos{p.Line, p.Col}
			}
		}
	}
	return pos{1, 1}
}

// eventPos returns where an event is written.
func eventPos(e actionlint.Event) *actionlint.Pos {
	switch ev := e.(type) {
	case *actionlint.WebhookEvent:
		return ev.Pos
	case *actionlint.ScheduledEvent:
		return ev.Pos
	case *actionlint.WorkflowDispatchEvent:
		return ev.Pos
	case *actionlint.RepositoryDispatchEvent:
		return ev.Pos
	case *actionlint.WorkflowCallEvent:
		return ev.Pos
	case *actionlint.ImageVersionEvent:
		return ev.Pos
	}
	return nil
}
