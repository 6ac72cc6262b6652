package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestMissingConcurrency(t *testing.T) {
	job := []string{"jobs:", "  release:", "    runs-on: ubuntu-latest", "    steps:", "      - run: make release"}
	wf := func(head ...string) string { return lines(append(head, job...)...) }
	runRuleCases(t, RuleMissingConcurrency, []ruleCase{
		{name: "release without concurrency", src: wf("name: release", "on:", "  release:", "    types: [published]", "permissions: {}"),
			want: []want{{finding.Low, 2, 1, "this workflow publishes (it runs on release) but sets no \"concurrency:\""}}},
		{name: "tag push without concurrency", src: wf("on:", "  push:", "    tags: ['v*']", "permissions: {}"),
			want: []want{{finding.Low, 1, 1, "it runs on tag pushes"}}},
		{name: "workflow concurrency", src: wf("on: release", "permissions: {}", "concurrency:", "  group: release-${{ github.ref }}", "  cancel-in-progress: false")},
		{name: "job concurrency", src: lines(
			"on: release",
			"permissions: {}",
			"jobs:",
			"  release:",
			"    runs-on: ubuntu-latest",
			"    concurrency: release",
			"    steps:",
			"      - run: make release",
		)},
		{name: "ci", src: wf("on: push", "permissions: {}")},
		{name: "deploy job", src: lines(
			"on: workflow_dispatch",
			"permissions: {}",
			"jobs:",
			"  deploy:",
			"    runs-on: ubuntu-latest",
			"    environment: prod",
			"    steps:",
			"      - run: make deploy",
		), want: []want{{finding.Low, 1, 1, "job deploy deploys to environment prod"}}},
		{name: "reusable deploy is left to its caller", src: lines(
			"on: workflow_call",
			"permissions: {}",
			"jobs:",
			"  deploy:",
			"    runs-on: ubuntu-latest",
			"    environment: prod",
			"    steps:",
			"      - run: make deploy",
		)},
		{name: "reusable deploy checked under a privileged caller", path: ".github/workflows/deploy.yml", src: lines(
			"on: workflow_call",
			"permissions: {}",
			"jobs:",
			"  deploy:",
			"    runs-on: ubuntu-latest",
			"    environment: prod",
			"    steps:",
			"      - run: make deploy",
		), extra: map[string]string{".github/workflows/caller.yml": lines(
			"on: pull_request_target",
			"permissions: {}",
			"concurrency: deploy",
			"jobs:",
			"  call:",
			"    uses: ./.github/workflows/deploy.yml",
		)}},
		{name: "a name is not a release", path: ".github/workflows/check-releases.yml", src: wf("name: Check releases", "on: push", "permissions: {}")},
		{name: "a dry run publishes nothing", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: cargo publish --dry-run",
		), opts: Options{Persona: PersonaPedantic}},
		{name: "an image pushed from main: pedantic only", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: docker push ghcr.io/o/r:main",
		)},
		{name: "an image pushed from main, pedantic", src: lines(
			"on: push",
			"permissions: {}",
			"jobs:",
			"  a:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - run: docker push ghcr.io/o/r:main",
		), opts: Options{Persona: PersonaPedantic}, want: []want{{finding.Low, 1, 1, "job a runs `docker push ghcr.io/o/r:main`"}}},
	})
}
