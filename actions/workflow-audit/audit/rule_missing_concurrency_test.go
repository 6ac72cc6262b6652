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
	})
}
