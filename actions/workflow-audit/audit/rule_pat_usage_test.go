package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

// stepWith is a one-step workflow whose step uses an action with inputs.
func patStep(uses string, with ...string) string {
	ls := []string{
		"on: push",
		"permissions:",
		"  contents: read",
		"jobs:",
		"  a:",
		"    runs-on: ubuntu-latest",
		"    steps:",
		"      - uses: " + uses,
		"        with:",
	}
	for _, w := range with {
		ls = append(ls, "          "+w)
	}
	return lines(ls...)
}

func TestPATUsageInputs(t *testing.T) {
	checkout := "actions/checkout@" + testSHA
	runRuleCases(t, RulePATUsage, []ruleCase{
		{name: "checkout token from a PAT", src: patStep(checkout, "token: ${{ secrets.GH_PAT }}"),
			want: []want{{finding.Medium, 10, 18, "actions/checkout is given secret GH_PAT as its token"}}},
		{name: "checkout token from any other secret", src: patStep(checkout, "token: ${{ secrets.RELEASE_BOT }}"),
			want: []want{{finding.Medium, 10, 18, "secret RELEASE_BOT"}}},
		{name: "checkout ssh key", src: patStep(checkout, "ssh-key: ${{ secrets.DEPLOY_KEY }}"),
			want: []want{{finding.Medium, 10, 20, "SSH key from secret DEPLOY_KEY"}}},
		{name: "checkout with GITHUB_TOKEN", src: patStep(checkout, "token: ${{ secrets.GITHUB_TOKEN }}")},
		{name: "checkout with github.token", src: patStep(checkout, "token: ${{ github.token }}")},
		{name: "checkout with a GitHub App token", src: patStep(checkout, "token: ${{ steps.app.outputs.token }}")},
		{name: "github-token input", src: patStep("actions/github-script@"+testSHA, "github-token: ${{ secrets.BOT_TOKEN }}"),
			want: []want{{finding.Medium, 10, 25, `input "github-token" of actions/github-script is given secret BOT_TOKEN`}}},
		{name: "repo-token input", src: patStep("actions/labeler@"+testSHA, "repo-token: ${{ secrets.LABELS }}"),
			want: []want{{finding.Medium, 10, 23, "secret LABELS"}}},
		{name: "token input with a PAT-named secret", src: patStep("octo/publish@"+testSHA, "token: ${{ secrets.PERSONAL_ACCESS_TOKEN }}"),
			want: []want{{finding.Medium, 10, 18, "whose name says it is a GitHub personal access token"}}},
		{name: "another service's token", src: patStep("codecov/codecov-action@"+testSHA, "token: ${{ secrets.CODECOV_TOKEN }}")},
		{name: "npm token", src: patStep("octo/npm-publish@"+testSHA, "npm-token: ${{ secrets.NPM_TOKEN }}")},
		{name: "token with a fallback still names the PAT", src: patStep(checkout, "token: ${{ secrets.GH_PAT || secrets.GITHUB_TOKEN }}"),
			want: []want{{finding.Medium, 10, 18, "secret GH_PAT"}}},
	})
}

func TestPATUsageEnvAndRemotes(t *testing.T) {
	runRuleCases(t, RulePATUsage, []ruleCase{
		{name: "GH_TOKEN from a PAT on a step", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: gh release create v1",
			"        env:",
			"          GH_TOKEN: ${{ secrets.RELEASE_PAT }}",
		), want: []want{{finding.Medium, 9, 21, "step env sets GH_TOKEN from secret RELEASE_PAT"}}},
		{name: "GITHUB_TOKEN env from a PAT on the job", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    env:",
			"      GITHUB_TOKEN: ${{ secrets.BOT }}",
			"    steps:",
			"      - run: npx semantic-release",
		), want: []want{{finding.Medium, 7, 21, `job "a" env sets GITHUB_TOKEN from secret BOT`}}},
		{name: "GH_TOKEN from the job token", src: lines(
			"on: push",
			"permissions:",
			"  contents: write",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: gh release create v1",
			"        env:",
			"          GH_TOKEN: ${{ github.token }}",
		)},
		{name: "secret in a remote URL", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: |",
			"          git config user.name bot",
			"          git remote set-url origin https://x-access-token:${{ secrets.PUSH_PAT }}@github.com/octo/repo.git",
			"          git push origin HEAD",
		), want: []want{{finding.Medium, 9, 60, "a git remote for github.com is given secret PUSH_PAT"}}},
		{name: "secret through a variable in a remote URL", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: git clone https://oauth2:${TOKEN}@github.com/octo/private.git",
			"        env:",
			"          TOKEN: ${{ secrets.CLONE_TOKEN }}",
		), want: []want{{finding.Medium, 7, 39, "secret CLONE_TOKEN"}}},
		{name: "secret in git's extra header", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: 'git config http.extraheader \"AUTHORIZATION: basic ${{ secrets.GH_BASIC }}\"'",
		), want: []want{{finding.Medium, 7, 65, "git's http.extraheader is given secret GH_BASIC"}}},
		{name: "another forge's remote", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: git push https://oauth2:${{ secrets.LAB_TOKEN }}@gitlab.com/octo/mirror.git",
		)},
	})
}

func TestPATUsageAppTokens(t *testing.T) {
	app := "actions/create-github-app-token@" + testSHA
	runRuleCases(t, RulePATUsage, []ruleCase{
		{name: "scoped", src: patStep(app, "app-id: ${{ vars.APP_ID }}", "private-key: ${{ secrets.APP_KEY }}", "permission-contents: write")},
		{name: "scoped to named repositories of an owner", src: patStep(app, "app-id: ${{ vars.APP_ID }}", "private-key: ${{ secrets.APP_KEY }}", "owner: octo-org", "repositories: config,docs", "permission-contents: read")},
		{name: "every installation permission", src: patStep(app, "app-id: ${{ vars.APP_ID }}", "private-key: ${{ secrets.APP_KEY }}"),
			want: []want{{finding.Medium, 8, 15, "asks for no permission-* input"}}},
		{name: "every repository of an owner", src: patStep(app, "app-id: ${{ vars.APP_ID }}", "private-key: ${{ secrets.APP_KEY }}", "owner: octo-org", "permission-issues: write"),
			want: []want{{finding.Medium, 12, 18, `names owner "octo-org" without "repositories:"`}}},
		{name: "token left valid", src: patStep(app, "app-id: ${{ vars.APP_ID }}", "private-key: ${{ secrets.APP_KEY }}", "permission-issues: write", "skip-token-revoke: true"),
			want: []want{{finding.High, 13, 30, "skip-token-revoke: true"}}},
		{name: "composite action", path: "act/action.yml", src: lines(
			"name: a", "description: b", "runs:", "  using: composite", "  steps:",
			"    - uses: "+app,
			"      with:",
			"        app-id: ${{ inputs.app-id }}",
			"        private-key: ${{ inputs.key }}",
		), want: []want{{finding.Medium, 6, 13, "asks for no permission-* input"}}},
	})
}

func TestPATUsageCredentials(t *testing.T) {
	runRuleCases(t, RulePATUsage, []ruleCase{
		{name: "literal container password", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    container:",
			"      image: ghcr.io/octo/build@sha256:"+testDigest,
			"      credentials:",
			"        username: bot",
			"        password: hunter2",
			"    steps:",
			"      - run: make",
		), want: []want{{finding.High, 10, 19, `job "a" container credentials write the registry password`}}},
		{name: "literal service password", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    services:",
			"      db:",
			"        image: ghcr.io/octo/db@sha256:"+testDigest,
			"        credentials:",
			"          username: bot",
			"          password: 'hunter2'",
			"    steps:",
			"      - run: make",
		), want: []want{{finding.High, 11, 21, `service "db" credentials`}}},
		{name: "password from a secret", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    container:",
			"      image: ghcr.io/octo/build@sha256:"+testDigest,
			"      credentials:",
			"        username: ${{ github.actor }}",
			"        password: ${{ secrets.GITHUB_TOKEN }}",
			"    steps:",
			"      - run: make",
		)},
	})
}

func TestOffsetPos(t *testing.T) {
	src := "a: plain value\nb: \"quoted value\"\nc: |\n  first\n    second x\nd: >\n  folded x\n"
	tests := []struct {
		s    scalar
		off  int
		want pos
	}{
		{scalar{"plain value", pos{1, 4}}, 6, pos{1, 10}},
		{scalar{"quoted value", pos{2, 4}}, 7, pos{2, 12}},
		{scalar{"first\n  second x\n", pos{3, 4}}, 15, pos{5, 12}},
		{scalar{"first\n  second x\n", pos{3, 4}}, 0, pos{4, 3}},
		{scalar{"folded x\n", pos{6, 4}}, 7, pos{6, 4}},
		{scalar{"x", pos{0, 0}}, 0, pos{0, 0}},
	}
	for _, tt := range tests {
		if got := offsetPos([]byte(src), tt.s, tt.off); got != tt.want {
			t.Errorf("offsetPos(%q, %d) = %v, want %v", tt.s.value, tt.off, got, tt.want)
		}
	}
}

func TestPATPattern(t *testing.T) {
	for _, name := range []string{"GH_PAT", "GITHUB_PAT", "BOT_GITHUB_TOKEN", "RELEASE_PAT", "PAT", "PERSONAL_ACCESS_TOKEN", "gh_token"} {
		if !patNameRe.MatchString(name) {
			t.Errorf("%s is not taken for a PAT", name)
		}
	}
	for _, name := range []string{"CODECOV_TOKEN", "NPM_TOKEN", "PYPI_API_TOKEN", "SONAR_TOKEN", "COMPAT_KEY", "PATH_TOKEN"} {
		if patNameRe.MatchString(name) {
			t.Errorf("%s is taken for a PAT", name)
		}
	}
}
