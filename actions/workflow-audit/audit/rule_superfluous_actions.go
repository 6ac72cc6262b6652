package audit

import (
	"fmt"

	"github.com/hubgates/hub/shared/finding"
)

// superfluousActionsRule reports third-party actions that do what the
// runner's own tools (gh, docker, jq, rustup) already do: each is one
// more repository whose maintainers can run code with the job's token.
type superfluousActionsRule struct{}

func (superfluousActionsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleSuperfluousActions,
		Severity: finding.Low,
		Summary:  "Third-party action for something the runner's tools already do",
		Help: "Every action is code from another repository that runs with the job's token and secrets. The " +
			"runner images ship gh, docker, jq and rustup, so releases, labels, issues and container runs need " +
			"no action: write the command in a run: step (gh release create, gh issue edit --add-label, docker " +
			"run, jq). Actions that do more than one command (creating pull requests, editing comments, " +
			"setting up a Rust toolchain) are reported with the pedantic persona only.",
		HelpURI: helpBase + RuleSuperfluousActions,
	}
}

// superfluousActions maps actions to the command that replaces them;
// pedantic ones do more than that command and are reported only with
// the pedantic persona.
var superfluousActions = map[string]struct {
	instead  string
	pedantic bool
}{
	"ncipollo/release-action":                {instead: "gh release create", pedantic: false},
	"softprops/action-gh-release":            {instead: "gh release create", pedantic: false},
	"elgohr/github-release-action":           {instead: "gh release create", pedantic: false},
	"dacbd/create-issue-action":              {instead: "gh issue create", pedantic: false},
	"actions-ecosystem/action-add-labels":    {instead: "gh issue edit --add-label (or gh pr edit)", pedantic: false},
	"actions-ecosystem/action-remove-labels": {instead: "gh issue edit --remove-label (or gh pr edit)", pedantic: false},
	"svenstaro/upload-release-action":        {instead: "gh release create and gh release upload", pedantic: false},
	"addnab/docker-run-action":               {instead: "docker run in a run: step, or a container step", pedantic: false},
	"sergeysova/jq-action":                   {instead: "jq in a run: step", pedantic: false},
	"peter-evans/create-pull-request":        {instead: "git and gh pr create", pedantic: true},
	"peter-evans/create-or-update-comment":   {instead: "gh pr comment or gh issue comment", pedantic: true},
	"dtolnay/rust-toolchain":                 {instead: "rustup in a run: step", pedantic: true},
}

func (r superfluousActionsRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	for _, j := range wf.jobs {
		for _, st := range j.steps {
			r.check(st, rep)
		}
	}
}

func (r superfluousActionsRule) checkAction(a *actionFile, rep *reporter) {
	for _, st := range a.steps {
		r.check(st, rep)
	}
}

func (superfluousActionsRule) check(st *step, rep *reporter) {
	a, ok := stepAction(st)
	if !ok {
		return
	}
	s, ok := superfluousActions[a.repository()]
	if !ok || s.pedantic && !rep.wants(PersonaPedantic) {
		return
	}
	rep.report(finding.Low, st.uses.pos, "superfluous:"+a.repository(), fmt.Sprintf("%s does what the runner's tools already do; use %s and drop one more repository that runs with the job's token", a.repository(), s.instead))
}
