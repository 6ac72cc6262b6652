package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestSelfHostedUntrusted(t *testing.T) {
	wf := func(on string, runsOn ...string) string {
		ls := []string{"on: " + on, "permissions: {}", "jobs:", "  test:"}
		ls = append(ls, runsOn...)
		return lines(append(ls, "    steps:", "      - run: make test")...)
	}
	runRuleCases(t, RuleSelfHostedUntrusted, []ruleCase{
		{name: "self-hosted on pull_request", src: wf("pull_request", "    runs-on: [self-hosted, linux, x64]"),
			want: []want{{finding.High, 5, 15, `job "test" runs on a self-hosted runner in a workflow that pull_request starts`}}},
		{name: "self-hosted in a list", src: wf("issue_comment", "    runs-on:", "      - linux", "      - self-hosted"),
			want: []want{{finding.High, 7, 9, "issue_comment"}}},
		{name: "self-hosted in labels", src: wf("pull_request_target", "    runs-on:", "      labels: [self-hosted]"),
			want: []want{{finding.High, 6, 16, "pull_request_target"}}},
		{name: "GitHub-hosted on pull_request", src: wf("pull_request", "    runs-on: ubuntu-latest")},
		{name: "GitHub-hosted larger runner label", src: wf("pull_request", "    runs-on: windows-latest-8-cores")},
		{name: "self-hosted on push", src: wf("push", "    runs-on: [self-hosted, linux]")},
		{name: "self-hosted on workflow_dispatch", src: wf("workflow_dispatch", "    runs-on: self-hosted")},
		{name: "custom label, pedantic", src: wf("pull_request", "    runs-on: build-farm"), opts: Options{Persona: PersonaPedantic},
			want: []want{{finding.Medium, 5, 14, `runs on "build-farm", which is not a GitHub-hosted runner label`}}},
		{name: "runner group, pedantic", src: wf("pull_request", "    runs-on:", "      group: org-runners"), opts: Options{Persona: PersonaPedantic},
			want: []want{{finding.Medium, 6, 14, `runner group "org-runners"`}}},
		{name: "custom label", src: wf("pull_request", "    runs-on: build-farm")},
		{name: "third-party hosted runner", src: wf("pull_request", "    runs-on: depot-ubuntu-24.04-8")},
		{name: "larger GitHub-hosted runner", src: wf("pull_request_target", "    runs-on: github-ubuntu-24.04-x86_64-8")},
		{name: "runner group", src: wf("pull_request", "    runs-on:", "      group: org-runners")},
		{name: "matrix with a self-hosted entry", src: wf("pull_request",
			"    strategy:",
			"      matrix:",
			"        os: [ubuntu-latest, self-hosted]",
			"    runs-on: ${{ matrix.os }}",
		), want: []want{{finding.High, 8, 14, "the matrix includes a self-hosted runner"}}},
		{name: "matrix include with self-hosted labels", src: wf("pull_request",
			"    strategy:",
			"      matrix:",
			"        include:",
			"          - runner: [self-hosted, gpu]",
			"    runs-on: ${{ matrix.runner }}",
		), want: []want{{finding.High, 9, 14, "the matrix includes a self-hosted runner"}}},
		{name: "matrix of GitHub-hosted runners", src: wf("pull_request",
			"    strategy:",
			"      matrix:",
			"        os: [ubuntu-latest, macos-15, windows-2025]",
			"    runs-on: ${{ matrix.os }}",
		)},
		{name: "reusable workflow call has no runner", src: lines(
			"on: pull_request",
			"permissions: {}",
			"jobs:",
			"  call:",
			"    uses: ./.github/workflows/build.yml",
		)},
	})
}
