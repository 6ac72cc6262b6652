package audit

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

// runWorkflow is a workflow on trigger with one job whose steps are given
// as YAML at step indentation (six spaces), starting on line 6.
func runWorkflow(trigger, steps string) string {
	return "on: " + trigger + "\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n" + steps
}

func TestTemplateInjectionWorkflow(t *testing.T) {
	tests := []struct {
		name    string
		trigger string
		steps   string
		want    *want
	}{
		{"issue title in run on issues is critical", "issues",
			"      - run: echo \"${{ github.event.issue.title }}\"\n",
			&want{finding.Critical, 6, 20, "attacker-controlled github.event.issue.title into the run: script"}},
		{"pull request title on pull_request is high", "pull_request",
			"      - run: echo \"${{ github.event.pull_request.title }}\"\n",
			&want{finding.High, 6, 20, `pass it through env: (env: PULL_REQUEST_TITLE: ${{ github.event.pull_request.title }}) and use "$PULL_REQUEST_TITLE"`}},
		{"head_ref on pull_request_target", "pull_request_target",
			"      - run: git push origin HEAD:${{ github.head_ref }}\n",
			&want{finding.Critical, 6, 35, "on pull_request_target, with the base repository's token and secrets"}},
		{"commit message on push", "push",
			"      - run: |\n          echo start\n          echo '${{ github.event.head_commit.message }}'\n",
			&want{finding.High, 8, 17, "github.event.head_commit.message"}},
		{"folded script", "issue_comment",
			"      - run: >-\n          echo\n          ${{ github.event.comment.body }}\n",
			&want{finding.Critical, 8, 11, "github.event.comment.body"}},
		{"quoted single line", "discussion",
			"      - run: 'echo ''${{ github.event.discussion.title }}'''\n",
			&want{finding.Critical, 6, 22, "github.event.discussion.title"}},
		{"default through ||", "issues",
			"      - run: echo ${{ github.event.issue.body || 'none' }}\n",
			&want{finding.Critical, 6, 19, "${{ github.event.issue.body || 'none' }} expands attacker-controlled github.event.issue.body"}},
		{"format", "pull_request",
			"      - run: echo ${{ format('{0}/{1}', github.repository, github.event.pull_request.head.ref) }}\n",
			&want{finding.High, 6, 19, "github.event.pull_request.head.ref"}},
		{"toJSON of the event", "workflow_run",
			"      - run: echo '${{ toJSON(github.event) }}' | jq .\n",
			&want{finding.Critical, 6, 20, "attacker-controlled github.event into"}},
		{"bracket access", "issues",
			"      - run: echo ${{ github['event']['issue']['title'] }}\n",
			&want{finding.Critical, 6, 19, "github.event.issue.title"}},
		{"commits array", "push",
			"      - run: echo ${{ github.event.commits[0].author.email }}\n",
			&want{finding.High, 6, 19, "github.event.commits.*.author.email"}},
		{"workflow_run branch", "workflow_run",
			"      - run: echo ${{ github.event.workflow_run.head_branch }}\n",
			&want{finding.Critical, 6, 19, "github.event.workflow_run.head_branch"}},
		{"env context set from the title", "issues",
			"      - env:\n          TITLE: ${{ github.event.issue.title }}\n        run: echo \"${{ env.TITLE }}\"\n",
			&want{finding.Critical, 8, 20, `env.title (set from github.event.issue.title) into the run: script, where it runs as shell code on issues, with the base repository's token and secrets; the value is already in the environment, so use the variable itself ("$TITLE")`}},
		{"matrix from the event", "issue_comment",
			"      - run: echo ${{ matrix.cmd }}\n    strategy:\n      matrix:\n        cmd: ['${{ github.event.comment.body }}']\n",
			&want{finding.Critical, 6, 19, "matrix.cmd (set from github.event.comment.body)"}},
		{"matrix row given as an expression", "issues",
			"      - run: echo ${{ matrix.dynamic }}\n    strategy:\n      matrix:\n        frob: [a, b]\n        dynamic: ${{ github.event.client_payload.meat }}\n",
			&want{finding.Medium, 6, 19, "matrix.dynamic (set from github.event.client_payload.meat)"}},
		{"docker-run-action script", "pull_request",
			"      - uses: addnab/docker-run-action@" + testSHA + "\n        with:\n          image: alpine\n          run: |\n            echo ${{ github.event.pull_request.head.label }}\n",
			&want{finding.High, 10, 18, `the "run" input of addnab/docker-run-action, where it runs as shell code; pass it through env: (env: HEAD_LABEL: ${{ github.event.pull_request.head.label }}), hand it to the container with options: -e HEAD_LABEL, and use "$HEAD_LABEL"`}},
		{"github-script", "pull_request_target",
			"      - uses: actions/github-script@" + testSHA + "\n        with:\n          script: |\n            const t = \"${{ github.event.pull_request.title }}\"\n",
			&want{finding.Critical, 9, 24, `the "script" input of actions/github-script, where it runs as JavaScript code`}},
		{"env set at run time on a privileged trigger", "pull_request_target",
			"      - run: echo \"${{ env.PR_TITLE }}\"\n",
			&want{finding.Low, 6, 20, "env.pr_title (set from a value written to $GITHUB_ENV at run time)"}},
		{"env set at run time on push", "push",
			"      - run: echo \"${{ env.VERSION }}\"\n", nil},
		{"toJSON(env) in github-script", "issue_comment",
			"      - uses: actions/github-script@" + testSHA + "\n        env:\n          BODY: ${{ github.event.comment.body }}\n        with:\n          script: |\n            const e = ${{ toJSON(env) }}\n",
			&want{finding.Critical, 11, 23, "env (set from github.event.comment.body)"}},
		{"step output through fromJSON on workflow_run", "workflow_run",
			"      - run: echo ${{ fromJSON(steps.meta.outputs.json).title }}\n",
			&want{finding.Low, 6, 19, "steps.meta.outputs.json"}},
		{"step output on push", "push",
			"      - run: echo ${{ steps.meta.outputs.version }}\n", nil},
		{"string input of a dispatch", "{workflow_dispatch: {inputs: {name: {type: string}}}}",
			"      - run: echo ${{ inputs.name }}\n",
			&want{finding.Medium, 6, 19, "inputs.name, which whoever starts or calls the workflow chooses"}},
		{"untyped input of a reusable workflow", "{workflow_call: {inputs: {ref: {type: string}}}}",
			"      - run: git checkout ${{ inputs.ref }}\n",
			&want{finding.Medium, 6, 27, "inputs.ref"}},
		{"unknown event field", "workflow_run",
			"      - run: echo ${{ github.event.workflow_run.path }}\n",
			&want{finding.Medium, 6, 19, "an event field that may carry free text"}},
		{"step output on a privileged trigger", "workflow_run",
			"      - id: pr\n        run: echo \"n=$(cat pr/NR)\" >> \"$GITHUB_OUTPUT\"\n      - run: echo ${{ steps.pr.outputs.n }}\n",
			&want{finding.Low, 8, 19, "whose origin this audit does not follow"}},

		// Near misses.
		{"value passed through env", "pull_request_target",
			"      - env:\n          TITLE: ${{ github.event.pull_request.title }}\n        run: echo \"$TITLE\"\n", nil},
		{"numbers and SHAs", "pull_request_target",
			"      - run: |\n          echo ${{ github.event.pull_request.number }} ${{ github.event.pull_request.head.sha }}\n          echo ${{ github.sha }} ${{ github.run_id }} ${{ github.event.issue.number }}\n", nil},
		{"booleans from the title", "issues",
			"      - run: echo ${{ contains(github.event.issue.title, 'bug') }} ${{ github.event.issue.title == 'x' }}\n", nil},
		{"secrets and vars", "pull_request_target",
			"      - run: deploy --token ${{ secrets.TOKEN }} --region ${{ vars.REGION }} --dir ${{ runner.temp }}\n", nil},
		{"typed inputs", "{workflow_dispatch: {inputs: {dry: {type: boolean}, n: {type: number}, env: {type: choice, options: [a, b]}}}}",
			"      - run: echo ${{ inputs.dry }} ${{ inputs.n }} ${{ inputs.env }}\n", nil},
		{"step output off privileged triggers", "push",
			"      - id: v\n        run: echo \"v=1\" >> \"$GITHUB_OUTPUT\"\n      - run: echo ${{ steps.v.outputs.v }}\n", nil},
		{"static matrix", "pull_request",
			"      - run: echo ${{ matrix.go }}\n    strategy:\n      matrix:\n        go: ['1.25', '1.26']\n", nil},
		{"github-script reading a constant env", "issue_comment",
			"      - uses: actions/github-script@" + testSHA + "\n        env:\n          COMMENT_ID: \"1234\"\n        with:\n          script: console.log(\"${{ env.COMMENT_ID }}\")\n", nil},
		{"event fields that are fixed", "pull_request",
			"      - run: |\n          echo \"${{ github.action_path }} ${{ github.server_url }} ${{ github.job }}\"\n          echo \"${{ github.event.pull_request.base.sha }} ${{ github.event.pull_request.head.repo.fork }}\"\n          echo \"${{ github.event.workflow_run.pull_requests[0].base.repo.id }}\"\n", nil},
		{"env set to a constant", "issues",
			"      - env:\n          GREETING: hello\n        run: echo \"${{ env.GREETING }}\"\n", nil},
		{"expression in with: of a non-code input", "issues",
			"      - uses: actions/labeler@" + testSHA + "\n        with:\n          sync-labels: ${{ github.event.issue.title }}\n", nil},
		{"expression in if:", "issues",
			"      - if: github.event.issue.title == 'x'\n        run: echo hi\n", nil},
		{"label name and base ref", "pull_request_target",
			"      - run: echo ${{ github.event.label.name }} ${{ github.event.pull_request.base.ref }} ${{ github.base_ref }}\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanTree(t, map[string]string{".github/workflows/ci.yml": runWorkflow(tt.trigger, tt.steps)}, Options{})
			checkOne(t, only(r.Findings, RuleInvalidWorkflow), nil)
			checkOne(t, only(r.Findings, RuleTemplateInjection), tt.want)
		})
	}
}

func TestTemplateInjectionEveryExpression(t *testing.T) {
	steps := "      - run: |\n" +
		"          echo \"${{ github.event.issue.title }}\" \"${{ github.event.issue.title }}\"\n" +
		"          echo ${{ github.sha }} ${{ github.event.issue.body }}\n"
	r := scanTree(t, map[string]string{".github/workflows/ci.yml": runWorkflow("issues", steps)}, Options{})
	got := only(r.Findings, RuleTemplateInjection)
	var pos []string
	for _, f := range got {
		pos = append(pos, fmt.Sprintf("%s:%d:%d", f.Path, f.Line, f.Col))
	}
	want := []string{".github/workflows/ci.yml:7:17", ".github/workflows/ci.yml:7:51", ".github/workflows/ci.yml:8:34"}
	if strings.Join(pos, " ") != strings.Join(want, " ") {
		t.Fatalf("positions %v, want %v:%s", pos, want, dump(got))
	}
	if got[0].Fingerprint == got[1].Fingerprint {
		t.Errorf("repeated expressions share a fingerprint")
	}
}

func TestTemplateInjectionCompositeAction(t *testing.T) {
	tests := []struct {
		name string
		step string
		want *want
	}{
		{"attacker context in run", "    - run: echo \"${{ github.event.pull_request.title }}\"\n      shell: bash\n",
			&want{finding.High, 6, 18, "attacker-controlled github.event.pull_request.title"}},
		{"input in run", "    - run: |\n        echo ${{ inputs.message }}\n      shell: bash\n",
			&want{finding.Medium, 7, 14, "inputs.message, which the calling workflow may fill from an issue or pull request"}},
		{"github-script in an action", "    - uses: actions/github-script@" + testSHA + "\n      with:\n        script: console.log('${{ github.head_ref }}')\n",
			&want{finding.High, 8, 30, "process.env.HEAD_REF"}},
		{"step output in an action", "    - run: echo ${{ steps.x.outputs.y }}\n      shell: bash\n", nil},
		{"input through env", "    - env:\n        MSG: ${{ inputs.message }}\n      run: echo \"$MSG\"\n      shell: bash\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action := "name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n" + tt.step
			r := scanTree(t, map[string]string{"action.yml": action}, Options{})
			checkOne(t, only(r.Findings, RuleInvalidWorkflow), nil)
			checkOne(t, only(r.Findings, RuleTemplateInjection), tt.want)
		})
	}
}

func TestEnvName(t *testing.T) {
	for path, want := range map[string]string{
		"github.event.issue.title":   "ISSUE_TITLE",
		"github.head_ref":            "HEAD_REF",
		"github.event":               "EVENT",
		"github":                     "GITHUB",
		"steps.pr.outputs.number":    "PR_NUMBER",
		"inputs.dry-run":             "DRY_RUN",
		"github.event.commits.*.id":  "COMMITS_ID",
		"github.event.pages.*.1name": "PAGES_1NAME",
	} {
		if got := envName(path); got != want {
			t.Errorf("envName(%q) = %q, want %q", path, got, want)
		}
	}
}

// TestTemplateInjectionPedantic: outputs and run-time env on ordinary
// triggers are reported only by the pedantic persona.
func TestTemplateInjectionPedantic(t *testing.T) {
	src := runWorkflow("push", "      - run: echo ${{ steps.meta.outputs.version }} ${{ env.VERSION }}\n")
	for _, p := range []Persona{PersonaRegular, PersonaPedantic} {
		r := scanTree(t, map[string]string{".github/workflows/ci.yml": src}, Options{Persona: p})
		got := only(r.Findings, RuleTemplateInjection)
		want := map[Persona]int{PersonaRegular: 0, PersonaPedantic: 2}[p]
		if len(got) != want {
			t.Errorf("%v: %d findings, want %d:%s", p, len(got), want, dump(got))
		}
		for _, f := range got {
			if f.Severity != finding.Low {
				t.Errorf("%v: %s is not low", p, f)
			}
		}
	}
}
