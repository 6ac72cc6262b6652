package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestInsecureCommandsWorkflow(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want *want
	}{
		{"workflow env", "on: push\nenv:\n  ACTIONS_ALLOW_UNSECURE_COMMANDS: true\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo\n",
			&want{finding.High, 3, 36, "the workflow's env sets ACTIONS_ALLOW_UNSECURE_COMMANDS to true"}},
		{"job env, quoted", "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    env:\n      ACTIONS_ALLOW_UNSECURE_COMMANDS: 'TRUE'\n    steps:\n      - run: echo\n",
			&want{finding.High, 6, 40, `job "a"'s env sets`}},
		{"step env", "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo \"::add-path::/opt/x\"\n        env:\n          ACTIONS_ALLOW_UNSECURE_COMMANDS: true\n",
			&want{finding.High, 8, 44, `a step's env in job "a"`}},
		{"lower-case name (Windows runners)", "on: push\njobs:\n  a:\n    runs-on: windows-2025\n    env:\n      actions_allow_unsecure_commands: true\n    steps:\n      - run: echo\n",
			&want{finding.High, 6, 40, "actions_allow_unsecure_commands"}},
		{"expression", "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    env:\n      ACTIONS_ALLOW_UNSECURE_COMMANDS: ${{ vars.LEGACY }}\n    steps:\n      - run: echo\n",
			&want{finding.Medium, 6, 40, "may evaluate to true"}},
		{"written to GITHUB_ENV", "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: |\n          echo hi\n          echo \"ACTIONS_ALLOW_UNSECURE_COMMANDS=true\" >> \"$GITHUB_ENV\"\n",
			&want{finding.High, 8, 11, "writes ACTIONS_ALLOW_UNSECURE_COMMANDS=true to $GITHUB_ENV"}},

		// Near misses.
		{"false", "on: push\nenv:\n  ACTIONS_ALLOW_UNSECURE_COMMANDS: false\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo\n", nil},
		{"other variable", "on: push\nenv:\n  ACTIONS_STEP_DEBUG: true\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo\n", nil},
		{"mentioned in a script", "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo \"do not set ACTIONS_ALLOW_UNSECURE_COMMANDS=true\"\n", nil},
		{"written as false", "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ACTIONS_ALLOW_UNSECURE_COMMANDS=false >> $GITHUB_ENV\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanTree(t, map[string]string{".github/workflows/ci.yml": tt.src}, Options{})
			checkOne(t, only(r.Findings, RuleInvalidWorkflow), nil)
			checkOne(t, only(r.Findings, RuleInsecureCommands), tt.want)
		})
	}
}

func TestInsecureCommandsCompositeAction(t *testing.T) {
	action := "name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n" +
		"    - run: echo \"::set-env name=A::b\"\n      shell: bash\n      env:\n        ACTIONS_ALLOW_UNSECURE_COMMANDS: \"true\"\n" +
		"    - run: echo ACTIONS_ALLOW_UNSECURE_COMMANDS=true >> $GITHUB_ENV\n      shell: bash\n"
	r := scanTree(t, map[string]string{"action.yml": action}, Options{})
	got := only(r.Findings, RuleInsecureCommands)
	if len(got) != 2 || got[0].Line != 9 || got[0].Col != 42 || got[1].Line != 10 || got[1].Col != 12 {
		t.Fatalf("want findings at 9:42 and 10:12:%s", dump(got))
	}
	for _, f := range got {
		if f.Severity != finding.High {
			t.Errorf("severity %v: %s", f.Severity, f)
		}
	}
}
