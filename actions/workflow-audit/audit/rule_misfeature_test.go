package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestMisfeature(t *testing.T) {
	job := func(s ...string) string {
		return lines(append([]string{"on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: windows-latest", "    steps:"}, s...)...)
	}
	runRuleCases(t, RuleMisfeature, []ruleCase{
		{name: "shell cmd", src: job("      - run: echo %X%", "        shell: cmd"),
			want: []want{{finding.Low, 8, 16, `"shell: cmd" runs the script in cmd.exe`}}},
		{name: "cmd.exe as the job default", src: lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: windows-latest", "    defaults:", "      run:", "        shell: cmd.exe", "    steps:", "      - run: echo x"),
			want: []want{{finding.Low, 8, 16, "cmd.exe"}}},
		{name: "pwsh", src: job("      - run: echo x", "        shell: pwsh")},
		{name: "bash with options", src: job("      - run: echo x", "        shell: bash -eo pipefail {0}")},
		{name: "perl: pedantic only", src: job("      - run: print 1", "        shell: perl {0}")},
		{name: "perl, pedantic", src: job("      - run: print 1", "        shell: perl {0}"), opts: Options{Persona: PersonaPedantic},
			want: []want{{finding.Low, 8, 16, `"shell: perl {0}" is not one of the shells`}}},
		{name: "setup-python pip-install", src: job("      - uses: actions/setup-python@"+testSHA, "        with:", "          pip-install: requests"),
			want: []want{{finding.Low, 9, 24, "pip-install"}}},
		{name: "composite action shell cmd", path: "act/action.yml", src: lines("name: a", "description: d", "runs:", "  using: composite", "  steps:", "    - run: echo x", "      shell: cmd"),
			want: []want{{finding.Low, 7, 14, "cmd.exe"}}},
	})
}
