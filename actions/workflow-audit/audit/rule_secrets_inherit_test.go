package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestSecretsInherit(t *testing.T) {
	call := func(uses, secrets string) string {
		return lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  call:",
			"    uses: "+uses,
			"    secrets: "+secrets,
		)
	}
	runRuleCases(t, RuleSecretsInherit, []ruleCase{
		{name: "local callee", src: call("./.github/workflows/build.yml", "inherit"),
			want: []want{{finding.Medium, 6, 14, `job "call" passes every secret ("secrets: inherit") to "./.github/workflows/build.yml"`}}},
		{name: "remote callee pinned", src: call("octo-org/workflows/.github/workflows/build.yml@"+testSHA, "inherit"),
			want: []want{{finding.Medium, 6, 14, "in repository octo-org/workflows"}}},
		{name: "remote callee on a tag", src: call("octo-org/workflows/.github/workflows/build.yml@v1", "inherit"),
			want: []want{{finding.High, 6, 14, "which is not pinned to a commit SHA"}}},
		{name: "remote callee on a branch", src: call("octo-org/workflows/.github/workflows/build.yml@main", "inherit"),
			want: []want{{finding.High, 6, 14, "not pinned"}}},
		{name: "named secrets", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  call:",
			"    uses: octo-org/workflows/.github/workflows/build.yml@v1",
			"    secrets:",
			"      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}",
		)},
		{name: "toJSON(secrets)", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: ./deploy.sh",
			"        env:",
			"          ALL: ${{ toJSON(secrets) }}",
		), want: []want{{finding.Medium, 9, 16, `expression "${{ toJSON(secrets) }}" reads the whole secrets context`}}},
		{name: "computed index", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    strategy:",
			"      matrix:",
			"        target: [A, B]",
			"    steps:",
			"      - run: ./deploy.sh",
			"        env:",
			"          KEY: ${{ secrets[format('KEY_{0}', matrix.target)] }}",
		), want: []want{{finding.Medium, 12, 16, "reads the whole secrets context"}}},
		{name: "a literal index names one secret", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: ./deploy.sh",
			"        env:",
			"          KEY: ${{ secrets['DEPLOY_KEY'] }}",
		)},
	})
}
