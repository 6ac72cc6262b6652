package audit

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

// ruleCase is one table entry of the security rule tests: a workflow (or,
// with path set, another file) and the findings one rule must report.
type ruleCase struct {
	name string
	src  string
	path string // default .github/workflows/ci.yml
	want []want
	// opts are the scan's options (the persona); extra are other files
	// of the repository (a caller workflow, a dependabot.yml).
	opts  Options
	extra map[string]string
}

// runRuleCases scans each case and compares the rule's findings, in
// order, with the wanted ones (severity, position when line is not 0, a
// message fragment).
func runRuleCases(t *testing.T, rule string, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.path
			if p == "" {
				p = ".github/workflows/ci.yml"
			}
			files := map[string]string{p: tc.src}
			for k, v := range tc.extra {
				files[k] = v
			}
			r := scanTree(t, files, tc.opts)
			var got []finding.Finding
			for _, f := range only(r.Findings, rule) {
				if f.Path == p {
					got = append(got, f)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("want %d %s findings, got %d:%s\nall findings:%s", len(tc.want), rule, len(got), dump(got), dump(r.Findings))
			}
			for i, w := range tc.want {
				checkOne(t, got[i:i+1], &w)
			}
			for _, f := range only(r.Findings, RuleInvalidWorkflow) {
				t.Errorf("fixture is not a valid workflow: %s", f)
			}
		})
	}
}

// lines joins workflow lines, so positions can be read off the table.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestExcessivePermissionsMissing(t *testing.T) {
	runRuleCases(t, RuleExcessivePermissions, []ruleCase{
		{name: "no permissions anywhere: once, at on:", src: lines(
			"name: ci",
			"on: push",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make",
			"  b:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make test",
		), want: []want{{finding.Medium, 2, 1, `workflow sets no "permissions:"`}}},
		{name: "privileged trigger is named", src: lines(
			"on: pull_request_target",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make",
		), want: []want{{finding.Medium, 1, 1, "pull_request_target, which people without write access can start"}}},
		{name: "only the job lacking permissions", src: lines(
			"on: push",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    permissions: {}",
			"    steps:",
			"      - run: make",
			"  b:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make",
		), want: []want{{finding.Medium, 8, 3, `job "b" sets no "permissions:"`}}},
		{name: "least privilege at the top", src: lines(
			"on: push",
			"permissions:",
			"  contents: read",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make",
		)},
		{name: "empty permissions at the top", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make",
		)},
		{name: "every job sets its own", src: lines(
			"on: push",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      contents: read",
			"    steps:",
			"      - run: make",
		)},
		{name: "reusable workflow takes the caller's", src: lines(
			"on:",
			"  workflow_call:",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make",
		)},
		{name: "callable and pushed still needs them", src: lines(
			"on:",
			"  workflow_call:",
			"  push:",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make",
		), want: []want{{finding.Medium, 1, 1, `workflow sets no "permissions:"`}}},
	})
}

func TestExcessivePermissionsBroad(t *testing.T) {
	runRuleCases(t, RuleExcessivePermissions, []ruleCase{
		{name: "write-all at the top", src: lines(
			"on: push",
			"permissions: write-all",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make",
		), want: []want{{finding.High, 2, 14, `the workflow grants "permissions: write-all"`}}},
		{name: "write-all on a job", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    permissions: write-all",
			"    steps:",
			"      - run: make",
		), want: []want{{finding.High, 6, 18, `job "a" grants "permissions: write-all"`}}},
		{name: "read-all", src: lines(
			"on: push",
			"permissions: read-all",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make",
		), want: []want{{finding.Low, 2, 14, `"permissions: read-all"`}}},
		{name: "id-token on pull_request_target", src: lines(
			"on: pull_request_target",
			"permissions:",
			"  contents: read",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      id-token: write",
			"    steps:",
			"      - uses: aws-actions/configure-aws-credentials@"+testSHA,
		), want: []want{{finding.High, 8, 17, `job "a" grants "id-token: write" in a workflow that pull_request_target starts`}}},
		{name: "id-token at the top on workflow_run", src: lines(
			"on:",
			"  workflow_run:",
			"    workflows: [ci]",
			"    types: [completed]",
			"permissions:",
			"  id-token: write",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - uses: google-github-actions/auth@"+testSHA,
		), want: []want{{finding.High, 6, 13, "workflow_run starts"}}},
		{name: "id-token for OIDC on release is fine", src: lines(
			"on:",
			"  release:",
			"    types: [published]",
			"permissions:",
			"  contents: read",
			"  id-token: write",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - uses: pypa/gh-action-pypi-publish@"+testSHA,
		)},
	})
}

func TestExcessivePermissionsUnneeded(t *testing.T) {
	runRuleCases(t, RuleExcessivePermissions, []ruleCase{
		{name: "contents write in a job that only builds", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  build:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      contents: write",
			"    steps:",
			"      - uses: actions/checkout@"+testSHA,
			"        with:",
			"          persist-credentials: false",
			"      - uses: actions/setup-go@"+testSHA,
			"      - run: go test ./...",
		), want: []want{{finding.Medium, 7, 17, `job "build" grants "contents: write" but none of its steps`}}},
		{name: "contents write with git push", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  tag:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      contents: write",
			"    steps:",
			"      - uses: actions/checkout@"+testSHA,
			"      - run: |",
			"          git tag v1.2.3",
			"          git push origin v1.2.3",
		)},
		{name: "contents write with a release action", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  release:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      contents: write",
			"    steps:",
			"      - uses: softprops/action-gh-release@"+testSHA,
		)},
		{name: "an action the rule does not know may need it", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  x:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      contents: write",
			"    steps:",
			"      - uses: octo-org/does-things@"+testSHA,
		)},
		{name: "a script given the token may need it", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  x:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      issues: write",
			"    steps:",
			"      - run: ./scripts/triage.sh",
			"        env:",
			"          TOKEN: ${{ github.token }}",
		)},
		{name: "a reusable workflow call may need it", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  x:",
			"    permissions:",
			"      contents: write",
			"    uses: ./.github/workflows/release.yml",
		)},
		{name: "security-events write for upload-sarif", src: lines(
			"on: push",
			"permissions:",
			"  contents: read",
			"  security-events: write",
			"jobs:",
			"  scan:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - uses: actions/checkout@"+testSHA,
			"        with:",
			"          persist-credentials: false",
			"      - uses: github/codeql-action/upload-sarif@"+testSHA,
			"        with:",
			"          sarif_file: out.sarif",
		)},
		{name: "workflow-level write only one job uses", src: lines(
			"on:",
			"  schedule:",
			"    - cron: '0 0 * * *'",
			"permissions:",
			"  issues: write",
			"jobs:",
			"  stale:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - uses: actions/stale@"+testSHA,
			"  lint:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make lint",
		), want: []want{{finding.Medium, 5, 11, `grants "issues: write" to all 2 jobs but only job "stale" uses it`}}},
		{name: "workflow-level write no job uses", src: lines(
			"on: push",
			"permissions:",
			"  contents: write",
			"  packages: write",
			"jobs:",
			"  build:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - uses: docker/build-push-action@"+testSHA,
			"        with:",
			"          push: true",
		), want: []want{{finding.Medium, 3, 13, `grants "contents: write" to every job but none of them`}}},
		{name: "a job that overrides does not inherit", src: lines(
			"on: push",
			"permissions:",
			"  contents: write",
			"jobs:",
			"  build:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      contents: read",
			"    steps:",
			"      - run: make",
		)},
		{name: "a tool may push with the credentials checkout left", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  docs:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      contents: write",
			"    steps:",
			"      - uses: actions/checkout@"+testSHA,
			"      - run: mkdocs gh-deploy --force",
		)},
		{name: "any program may use OIDC", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  infra:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      id-token: write",
			"    steps:",
			"      - run: terraform apply -auto-approve",
		)},
		{name: "id-token in a job of known actions only", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  build:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      id-token: write",
			"    steps:",
			"      - uses: actions/setup-go@"+testSHA,
		), want: []want{{finding.Medium, 7, 17, `job "build" grants "id-token: write" but none of its steps`}}},
		{name: "image pushed by buildx", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  image:",
			"    runs-on: ubuntu-latest",
			"    permissions:",
			"      packages: write",
			"    steps:",
			"      - run: docker buildx build --push -t example.com/app .",
		)},
		{name: "scopes the rule cannot judge are left alone", src: lines(
			"on: push",
			"permissions:",
			"  repository-projects: write",
			"jobs:",
			"  build:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: make",
		)},
	})
}

func TestJobWritesRecognisesGitHubUse(t *testing.T) {
	for _, script := range []string{"gh pr comment 1 --body hi", "git -C out push", "curl https://api.github.com/repos", "npm publish", "echo $GH_TOKEN", "cosign sign x"} {
		if !githubUseRe.MatchString(script) || !usesGitHub(script) {
			t.Errorf("%q is not seen as using GitHub", script)
		}
	}
	for _, script := range []string{"make test", "go build ./...", "echo high", "ls -gh", "./ghost.sh"} {
		if githubUseRe.MatchString(script) || usesGitHub(script) {
			t.Errorf("%q is seen as using GitHub", script)
		}
	}
}

// githubUseLowerRe is githubUseRe for lower-cased text, what usesGitHub
// computes piece by piece.
var githubUseLowerRe = regexp.MustCompile(strings.ToLower(strings.TrimPrefix(githubUseRe.String(), "(?i)")))

func FuzzUsesGitHub(f *testing.F) {
	for _, s := range []string{
		"gh pr comment 1", "x|gh\tapi", "./gh run", "git -C out push", "git tag v1; echo", "git log\ngit push",
		"curl https://API.GitHub.com/x", "npm  npm publish", "yarn publish", "docker\tpush x", "--push", "--pushed",
		"cosign", "xcosign", "cosign_", "goreleaser release", "ghcr.io/a", "gh-pages", "echo $GH_TOKEN", "\u212a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		if got, want := usesGitHub(script), githubUseLowerRe.MatchString(strings.ToLower(script)); got != want {
			t.Errorf("usesGitHub(%q) = %v, the expression says %v", script, got, want)
		}
	})
}
