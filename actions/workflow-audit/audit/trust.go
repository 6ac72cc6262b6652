package audit

import (
	"strings"

	"github.com/rhysd/actionlint"
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

// publishes reports whether wf looks like a release or deploy workflow:
// it runs on a release or a tag push, deploys to an environment, or is
// named for releasing, publishing or deploying. Such workflows hold the
// credentials an attacker wants most.
func (wf *workflowFile) publishes() bool {
	if wf.ast == nil {
		return false
	}
	for _, e := range wf.ast.On {
		switch ev := e.(type) {
		case *actionlint.WebhookEvent:
			if ev.Hook == nil {
				continue
			}
			switch ev.Hook.Value {
			case "release", "registry_package", "deployment":
				return true
			case "push":
				if ev.Tags != nil && len(ev.Tags.Values) > 0 {
					return true
				}
			}
		}
	}
	for _, j := range wf.jobs {
		if j.ast != nil && j.ast.Environment != nil {
			return true
		}
	}
	name := strings.ToLower(wf.path)
	if wf.ast.Name != nil {
		name += " " + strings.ToLower(wf.ast.Name.Value)
	}
	for _, w := range []string{"release", "publish", "deploy"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}
