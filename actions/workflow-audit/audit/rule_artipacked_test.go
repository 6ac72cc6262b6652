package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestArtipacked(t *testing.T) {
	checkout := "      - uses: actions/checkout@" + testSHA
	upload := "      - uses: actions/upload-artifact@" + testSHA
	head := []string{"on: push", "permissions: {}", "jobs:", "  build:", "    runs-on: ubuntu-latest", "    steps:"}
	wf := func(steps ...string) string { return lines(append(append([]string{}, head...), steps...)...) }
	runRuleCases(t, RuleArtipacked, []ruleCase{
		{name: "uploads the whole workspace", src: wf(
			checkout,
			"      - run: make",
			upload,
			"        with:",
			"          name: everything",
			"          path: .",
		), want: []want{{finding.High, 7, 15, `the upload at line 9 takes the whole workspace (path ".")`}}},
		{name: "uploads github.workspace among other paths", src: wf(
			checkout,
			upload,
			"        with:",
			"          path: |",
			"            dist/",
			"            ${{ github.workspace }}",
		), want: []want{{finding.High, 7, 15, "${{ github.workspace }}"}}},
		{name: "uploads build output", src: wf(
			checkout,
			"      - run: make",
			upload,
			"        with:",
			"          path: dist/",
		), opts: Options{Persona: PersonaPedantic}, want: []want{{finding.Medium, 7, 15, "in a job that uploads artifacts (line 9)"}}},
		{name: "uploads build output: pedantic only", src: wf(
			checkout,
			"      - run: make",
			upload,
			"        with:",
			"          path: dist/",
		)},
		{name: "uploads logs outside the workspace", src: wf(
			checkout,
			"      - run: make",
			upload,
			"        with:",
			"          path: |",
			"            /tmp/kind/logs",
			"            ${{ runner.temp }}/report",
		), opts: Options{Persona: PersonaPedantic}},
		{name: "every persisting checkout, auditor", src: wf(checkout, "      - run: make"), opts: Options{Persona: PersonaAuditor},
			want: []want{{finding.Low, 7, 15, "where every later step and tool of the job can read it"}}},
		{name: "explicit persist-credentials true", src: wf(
			checkout,
			"        with:",
			"          persist-credentials: true",
			"      - uses: actions/upload-pages-artifact@"+testSHA,
		), opts: Options{Persona: PersonaPedantic}, want: []want{{finding.Medium, 7, 15, "uploads artifacts (line 10)"}}},
		{name: "persist-credentials false", src: wf(
			checkout,
			"        with:",
			"          persist-credentials: false",
			upload,
			"        with:",
			"          path: .",
		)},
		{name: "persist-credentials decided at run time", src: wf(
			checkout,
			"        with:",
			"          persist-credentials: ${{ inputs.push }}",
			upload,
			"        with:",
			"          path: .",
		)},
		{name: "no upload", src: wf(checkout, "      - run: make")},
		{name: "upload before the checkout", src: wf(
			upload,
			"        with:",
			"          path: .",
			checkout,
		)},
		{name: "pull request code on pull_request_target", src: lines(
			"on: pull_request_target",
			"permissions: {}",
			"jobs:",
			"  test:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - uses: actions/checkout@"+testSHA,
			"        with:",
			"          ref: ${{ github.event.pull_request.head.sha }}",
			"      - run: make test",
		), want: []want{{finding.Medium, 7, 15, "checks out pull request code on pull_request_target"}}},
		{name: "base branch on pull_request_target", src: lines(
			"on: pull_request_target",
			"permissions: {}",
			"jobs:",
			"  label:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - uses: actions/checkout@"+testSHA,
			"      - run: ./label.sh",
		)},
		{name: "pull request code on pull_request is not privileged", src: lines(
			"on: pull_request",
			"permissions: {}",
			"jobs:",
			"  test:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - uses: actions/checkout@"+testSHA,
			"        with:",
			"          ref: ${{ github.event.pull_request.head.sha }}",
		)},
		{name: "composite action", path: "build/action.yml", src: lines(
			"name: build",
			"description: builds and uploads",
			"runs:",
			"  using: composite",
			"  steps:",
			"    - uses: actions/checkout@"+testSHA,
			"    - uses: actions/upload-artifact@"+testSHA,
			"      with:",
			"        path: ${{ github.workspace }}/",
		), want: []want{{finding.High, 6, 13, "takes the whole workspace"}}},
	})
}
