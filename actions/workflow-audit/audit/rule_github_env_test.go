package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestGitHubEnv(t *testing.T) {
	tests := []struct {
		name    string
		trigger string
		job     string
		steps   string
		want    *want
	}{
		{"attacker expression", "pull_request_target", readOnly,
			"      - run: echo \"TITLE=${{ github.event.pull_request.title }}\" >> \"$GITHUB_ENV\"\n",
			&want{finding.Critical, 8, 14, "writes attacker-controlled github.event.pull_request.title to $GITHUB_ENV on pull_request_target"}},
		{"attacker variable", "issues", readOnly,
			"      - env:\n          BODY: ${{ github.event.issue.body }}\n        run: |\n          echo \"setup\"\n          printf 'BODY=%s\\n' \"$BODY\" >> $GITHUB_ENV\n",
			&want{finding.Critical, 12, 11, "writes attacker-controlled $BODY (set from github.event.issue.body)"}},
		{"head branch variable", "pull_request_target", readOnly,
			"      - run: echo \"BRANCH=${GITHUB_HEAD_REF}\" | tee -a \"$GITHUB_ENV\"\n",
			&want{finding.Critical, 8, 14, "command `echo \"BRANCH=${GITHUB_HEAD_REF}\" | tee -a \"$GITHUB_ENV\"` writes attacker-controlled $GITHUB_HEAD_REF"}},
		{"dynamic value", "workflow_run", readOnly,
			"      - run: echo \"VERSION=$(jq -r .version package.json)\" >> $GITHUB_ENV\n",
			&want{finding.High, 8, 14, "writes command output to $GITHUB_ENV on workflow_run"}},
		{"file from the triggering run's artifact", "workflow_run", readOnly,
			"      - uses: actions/download-artifact@" + testSHA + "\n        with:\n          run-id: ${{ github.event.workflow_run.id }}\n          github-token: ${{ github.token }}\n" +
				"      - run: cat pr.env >> \"$GITHUB_ENV\"\n",
			&want{finding.Critical, 12, 14, "writes the output of `cat` to $GITHUB_ENV on workflow_run after the job checked out the pull request or downloaded the triggering run's artifacts"}},
		{"path from the event", "issue_comment", readOnly,
			"      - run: echo \"${{ github.event.comment.body }}\" >> $GITHUB_PATH\n",
			&want{finding.Critical, 8, 14, "to $GITHUB_PATH on issue_comment"}},
		{"dynamic path", "pull_request_target", readOnly,
			"      - run: echo \"$TOOL_DIR\" >> \"$GITHUB_PATH\"\n",
			&want{finding.High, 8, 14, "writes $TOOL_DIR to $GITHUB_PATH"}},
		{"pwsh", "pull_request_target", readOnly,
			"      - shell: pwsh\n        run: |\n          \"TITLE=${{ github.event.pull_request.title }}\" | Out-File -FilePath $env:GITHUB_ENV -Append\n",
			&want{finding.Critical, 10, 11, "github.event.pull_request.title"}},
		{"set-env command", "issues", readOnly,
			"      - run: echo \"::set-env name=T::${{ github.event.issue.title }}\"\n",
			&want{finding.Critical, 8, 14, "to $GITHUB_ENV on issues"}},
		{"heredoc", "discussion", readOnly,
			"      - run: |\n          cat <<EOF >> \"$GITHUB_ENV\"\n          T=${{ github.event.discussion.title }}\n          EOF\n",
			&want{finding.Critical, 9, 11, "github.event.discussion.title"}},

		// Near misses.
		{"constant", "pull_request_target", readOnly,
			"      - run: echo \"FOO=bar\" >> \"$GITHUB_ENV\"\n", nil},
		{"runner path", "workflow_run", readOnly,
			"      - run: echo \"$HOME/.local/bin\" >> \"$GITHUB_PATH\"\n", nil},
		{"fixed expression", "pull_request_target", readOnly,
			"      - run: echo \"SHA=${{ github.event.pull_request.head.sha }}\" >> \"$GITHUB_ENV\"\n", nil},
		{"constant env variable", "issues", readOnly + "    env:\n      MODE: strict\n",
			"      - run: echo \"MODE=$MODE\" >> \"$GITHUB_ENV\"\n", nil},
		{"quoted heredoc", "issue_comment", readOnly,
			"      - run: |\n          cat <<'EOF' >> \"$GITHUB_ENV\"\n          A=$(not expanded)\n          EOF\n", nil},
		{"attacker data on push", "push", readOnly,
			"      - run: echo \"MSG=${{ github.event.head_commit.message }}\" >> \"$GITHUB_ENV\"\n", nil},
		{"dynamic data on pull_request", "pull_request", readOnly,
			"      - run: echo \"V=$(cat VERSION)\" >> \"$GITHUB_ENV\"\n", nil},
		{"step output instead", "pull_request_target", readOnly,
			"      - run: echo \"title=${TITLE//[^a-z]/}\" >> \"$GITHUB_OUTPUT\"\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanTree(t, map[string]string{".github/workflows/ci.yml": privilegedWorkflow(tt.trigger, tt.job, tt.steps)}, Options{})
			checkOne(t, only(r.Findings, RuleInvalidWorkflow), nil)
			checkOne(t, only(r.Findings, RuleGitHubEnv), tt.want)
		})
	}
}

// TestGitHubEnvAction: composite actions are checked whatever their
// callers' triggers.
func TestGitHubEnvAction(t *testing.T) {
	act := func(run, shell string) string {
		return lines("name: a", "description: d", "inputs:", "  v:", "    description: v", "runs:", "  using: composite", "  steps:", "    - run: "+run, "      shell: "+shell)
	}
	runRuleCases(t, RuleGitHubEnv, []ruleCase{
		{name: "command output", path: "act/action.yml", src: act(`echo "foo=$(bar)" >> $GITHUB_ENV`, "bash"),
			want: []want{{finding.Low, 9, 12, "in a composite action writes command output to $GITHUB_ENV"}}},
		{name: "pwsh variable", path: "act/action.yml", src: act(`echo "foo=$env:BAR" >> $env:GITHUB_ENV`, "pwsh"),
			want: []want{{finding.Low, 9, 12, "$BAR"}}},
		{name: "an input", path: "act/action.yml", src: act(`echo "V=${{ inputs.v }}" >> "$GITHUB_ENV"`, "bash"),
			want: []want{{finding.Medium, 9, 12, "an input of the action"}}},
		{name: "constant", path: "act/action.yml", src: act(`echo foo=bar >> $GITHUB_ENV`, "bash")},
	})
}
