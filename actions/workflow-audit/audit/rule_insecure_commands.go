package audit

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// insecureCommandsRule reports ACTIONS_ALLOW_UNSECURE_COMMANDS set to true,
// which re-enables the ::set-env and ::add-path workflow commands GitHub
// disabled in 2020: any program whose output the step prints (a test
// runner echoing a pull request's file, a log line with an issue title)
// can then set variables and PATH for the rest of the job.
type insecureCommandsRule struct{}

// insecureCommandsVar is the variable the runner reads, compared
// case-insensitively because Windows runners do.
const insecureCommandsVar = "ACTIONS_ALLOW_UNSECURE_COMMANDS"

func (insecureCommandsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleInsecureCommands,
		Severity: finding.High,
		Summary:  "ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables ::set-env and ::add-path",
		Help: "With ACTIONS_ALLOW_UNSECURE_COMMANDS=true anything a step prints to its log can set environment " +
			"variables and PATH entries for the later steps of the job (\"::set-env name=BASH_ENV::...\"), so " +
			"printing untrusted text becomes code execution. Remove the variable (from env: at every level and " +
			"from writes to $GITHUB_ENV) and use the environment files instead: echo \"NAME=value\" >> " +
			"\"$GITHUB_ENV\" and echo \"/dir\" >> \"$GITHUB_PATH\". A value given as an expression, which may " +
			"evaluate to true, is reported at medium severity.",
		HelpURI: helpBase + RuleInsecureCommands,
	}
}

func (r insecureCommandsRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if wf.ast == nil || !mentionsInsecureCommands(wf.src) {
		return
	}
	v := newWorkflowView(wf)
	r.checkEnv(v.env, "the workflow's env", rep)
	for _, jv := range v.jobs {
		r.checkEnv(jv.env, fmt.Sprintf("job %q's env", jv.j.id.value), rep)
		for _, sv := range jv.steps {
			r.checkStep(v.ix, sv, fmt.Sprintf("job %q", jv.j.id.value), rep)
		}
	}
}

func (r insecureCommandsRule) checkAction(a *actionFile, rep *reporter) {
	if a.root == nil || !mentionsInsecureCommands(a.src) {
		return
	}
	ix := actionIndex(a)
	for _, sv := range newActionSteps(a) {
		r.checkStep(ix, sv, "the action", rep)
	}
}

func (r insecureCommandsRule) checkStep(ix *srcIndex, sv *stepView, where string, rep *reporter) {
	r.checkEnv(sv.env, "a step's env in "+where, rep)
	if sv.run == nil {
		return
	}
	for _, w := range envWrites(sv.commands()) {
		if w.file != "GITHUB_ENV" || !w.program {
			continue
		}
		if insecureWriteRe.MatchString(w.content) || insecureWriteRe.MatchString(w.heredoc) {
			rep.report(r.meta().Severity, ix.locate(sv.run, w.cmd.off), "GITHUB_ENV: "+w.cmd.text,
				fmt.Sprintf("command %s in %s writes %s=true to $GITHUB_ENV, which re-enables the ::set-env and ::add-path commands for the job's later steps, so anything they print can set variables and PATH; remove it and write to $GITHUB_ENV and $GITHUB_PATH directly", quoteCmd(w.cmd.text), where, insecureCommandsVar))
		}
	}
}

var insecureWriteRe = regexp.MustCompile(`(?i)ACTIONS_ALLOW_UNSECURE_COMMANDS\s*=\s*["']?true\b`)

// checkEnv reports the variable in one env block.
func (r insecureCommandsRule) checkEnv(b envBlock, where string, rep *reporter) {
	for _, ev := range b.sortedVars() {
		if !strings.EqualFold(ev.name, insecureCommandsVar) {
			continue
		}
		val := strings.TrimSpace(ev.value.value)
		key := where + ": " + ev.name + "=" + val
		switch {
		case strings.EqualFold(val, "true"):
			rep.report(r.meta().Severity, ev.value.pos, key,
				fmt.Sprintf("%s sets %s to true, which re-enables the ::set-env and ::add-path commands, so anything a step prints can set variables and PATH for later steps; remove it and write to $GITHUB_ENV and $GITHUB_PATH instead", where, ev.name))
		case containsExpression(val):
			rep.report(finding.Medium, ev.value.pos, key,
				fmt.Sprintf("%s sets %s to the expression %s, which may evaluate to true and re-enable the ::set-env and ::add-path commands; remove it and write to $GITHUB_ENV and $GITHUB_PATH instead", where, ev.name, val))
		}
	}
}

// mentionsInsecureCommands is a cheap filter run once per file: the rule's
// work is only needed where the variable's name appears at all, in any
// case.
func mentionsInsecureCommands(src []byte) bool {
	return indexFold(src, "ACTIONS_ALLOW_UNSECURE_COMMANDS", 0) >= 0
}
