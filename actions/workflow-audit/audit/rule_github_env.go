package audit

import (
	"fmt"

	"github.com/hubgates/hub/shared/finding"
)

// githubEnvRule reports writes of non-constant data to $GITHUB_ENV or
// $GITHUB_PATH (and the old ::set-env / ::add-path commands) in
// privileged workflows. A value with a newline sets any variable for the
// rest of the job (BASH_ENV, NODE_OPTIONS, LD_PRELOAD run code), and a
// directory on PATH shadows git, node and every other program, in a job
// that holds the base repository's token and secrets.
//
// Constant writes ("echo FOO=bar >> $GITHUB_ENV", runner paths such as
// $HOME or $RUNNER_TEMP, fixed expressions such as ${{ github.sha }}) are
// not reported, as zizmor does not report echo with literal arguments:
// nothing an outsider writes reaches the file. Workflows without a
// privileged trigger are not checked (their environment is the
// contributor's own). Composite actions are checked without knowing
// their callers' triggers: medium when the value comes from an input or
// an attacker-controlled expression, low otherwise.
type githubEnvRule struct{}

func (githubEnvRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleGitHubEnv,
		Severity: finding.High,
		Summary:  "Untrusted data written to $GITHUB_ENV or $GITHUB_PATH in a privileged workflow",
		Help: "In pull_request_target, workflow_run, issue_comment, issues and discussion workflows, a value written " +
			"to $GITHUB_ENV that contains a newline sets any variable for the later steps (BASH_ENV, NODE_OPTIONS " +
			"and LD_PRELOAD run code), and a directory added to $GITHUB_PATH replaces git, node and every other " +
			"program; those steps hold the base repository's token and secrets. Pass data to later steps as a " +
			"step output (echo \"name=value\" >> \"$GITHUB_OUTPUT\") and into scripts through env:, or validate " +
			"it against a strict pattern (digits only, [A-Za-z0-9._-]+) before writing; add only fixed directories " +
			"to the path. Critical when the value comes from an attacker-controlled expression or variable, or " +
			"when the job has already checked out the pull request or downloaded the triggering run's artifacts. " +
			"In composite actions, whose callers are unknown, a written value from an input or the event is medium and " +
			"any other non-constant value low.",
		HelpURI: helpBase + RuleGitHubEnv,
	}
}

func (r githubEnvRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	trig := wf.privilegedTrigger()
	if trig == "" || wf.ast == nil {
		return
	}
	v := newWorkflowView(wf)
	for _, jv := range v.jobs {
		a := analyzeJob(v, jv, trig)
		for i, sv := range jv.steps {
			if sv.run == nil {
				continue
			}
			sc := v.scope(jv, sv)
			for _, w := range envWrites(sv.commands()) {
				kind, why := w.grade(sc, sc.env)
				if kind == writeConst {
					continue
				}
				sev := r.meta().Severity
				if kind == writeAttacker || a.untrustedBefore(i) {
					sev = finding.Critical
				}
				rep.report(sev, v.ix.locate(sv.run, w.cmd.off), w.file+": "+w.cmd.text, githubEnvMessage(w, kind, why, trig, a.untrustedBefore(i)))
			}
		}
	}
}

// checkAction reports composite actions' writes of non-constant data:
// the action's trigger is its callers', which it cannot know, so a value
// an outsider may choose (an input, an attacker-controlled expression) is
// medium and any other non-constant value low, as zizmor reports them.
func (r githubEnvRule) checkAction(a *actionFile, rep *reporter) {
	if a.root == nil || indexFold(a.src, "GITHUB_", 0) < 0 {
		return
	}
	ix := actionIndex(a)
	for _, sv := range newActionSteps(a) {
		if sv.run == nil {
			continue
		}
		sc := actionScope(sv)
		for _, w := range envWrites(sv.commands()) {
			kind, why := w.grade(sc, sc.env)
			if kind == writeConst {
				continue
			}
			sev := finding.Low
			flows := ""
			for _, e := range findExprs(w.content + w.heredoc) {
				if t := worst(sc.flows(e.node)); t >= taintInput {
					sev, flows = finding.Medium, "an input of the action or "
				}
			}
			if kind == writeAttacker {
				sev = finding.Medium
			}
			rep.report(sev, ix.locate(sv.run, w.cmd.off), w.file+": "+w.cmd.text, fmt.Sprintf("command %s in a composite action writes %s to $%s; the action runs in whatever workflow calls it, privileged ones included, where %sdata from outside can set any variable or PATH entry for the job's later steps; pass values as step outputs, or validate them against a strict pattern first", quoteCmd(w.cmd.text), why, w.file, flows))
		}
	}
}

func githubEnvMessage(w envWrite, kind writeKind, why, trig string, untrusted bool) string {
	what := why
	if kind == writeAttacker {
		what = "attacker-controlled " + why
	}
	after := ""
	if untrusted && kind != writeAttacker {
		after = " after the job checked out the pull request or downloaded the triggering run's artifacts, so the value may come from them"
	}
	cmd := "command " + quoteCmd(w.cmd.text)
	if w.file == "GITHUB_PATH" {
		return fmt.Sprintf("%s writes %s to $GITHUB_PATH on %s%s: a directory an outsider chooses puts their programs in place of git, node and the rest for the job's later steps, which hold its token and secrets; add only fixed directories", cmd, what, trig, after)
	}
	return fmt.Sprintf("%s writes %s to $GITHUB_ENV on %s%s: a value with a newline sets any variable (BASH_ENV, NODE_OPTIONS, LD_PRELOAD) for the job's later steps, which hold its token and secrets; pass it as a step output ($GITHUB_OUTPUT) and through env:, or validate it against a strict pattern first", cmd, what, trig, after)
}
