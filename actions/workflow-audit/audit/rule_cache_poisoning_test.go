package audit

import (
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestCachePoisoning(t *testing.T) {
	release := []string{"on:", "  release:", "    types: [published]", "permissions: {}", "jobs:", "  build:", "    runs-on: ubuntu-latest", "    steps:"}
	push := []string{"on:", "  push:", "    branches: [main]", "permissions: {}", "jobs:", "  build:", "    runs-on: ubuntu-latest", "    steps:"}
	wf := func(head []string, steps ...string) string {
		return lines(append(append([]string{}, head...), steps...)...)
	}
	runRuleCases(t, RuleCachePoisoning, []ruleCase{
		{name: "setup-go caches by default", src: wf(release,
			"      - uses: actions/setup-go@"+testSHA+" # v5.5.0",
		), want: []want{{finding.High, 9, 15, `actions/setup-go restores a GitHub Actions cache in a workflow that publishes (it runs on release)`}}},
		{name: "setup-go with cache false", src: wf(release,
			"      - uses: actions/setup-go@"+testSHA+" # v5.5.0",
			"        with:",
			"          cache: false",
		)},
		{name: "setup-go v3 did not cache by default", src: wf(release,
			"      - uses: actions/setup-go@v3",
		)},
		{name: "setup-go v3 by its comment", src: wf(release,
			"      - uses: actions/setup-go@"+testSHA+" # v3.5.0",
		)},
		{name: "setup-go cache decided at run time", src: wf(release,
			"      - uses: actions/setup-go@"+testSHA,
			"        with:",
			"          cache: ${{ inputs.cache }}",
		)},
		{name: "setup-go on a push to main", src: wf(push,
			"      - uses: actions/setup-go@"+testSHA+" # v5.5.0",
		)},
		{name: "actions/cache on a tag push", src: lines(
			"on:",
			"  push:",
			"    tags: ['v*']",
			"permissions: {}",
			"jobs:",
			"  build:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - uses: actions/cache@"+testSHA,
			"        with:",
			"          path: ~/.cache",
			"          key: k",
			"      - uses: actions/cache/save@"+testSHA,
			"        with:",
			"          path: ~/.cache",
			"          key: k",
			"      - uses: actions/cache/restore@"+testSHA,
			"        with:",
			"          path: ~/.cache",
			"          key: k",
			"          lookup-only: true",
		), want: []want{{finding.High, 9, 15, "(it runs on tag pushes)"}}},
		{name: "setup-node with npm cache", src: wf(release,
			"      - uses: actions/setup-node@"+testSHA,
			"        with:",
			"          cache: npm",
			"      - uses: actions/setup-python@"+testSHA,
		), want: []want{{finding.High, 9, 15, `remove the "cache:" input`}}},
		{name: "pull_request_target", src: lines(
			"on: pull_request_target",
			"permissions: {}",
			"jobs:",
			"  build:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - uses: actions/cache/restore@"+testSHA,
			"        with:",
			"          path: x",
			"          key: k",
		), want: []want{{finding.High, 7, 15, "a workflow that pull_request_target starts"}}},
		{name: "environment deployment", src: lines(
			"on: workflow_dispatch",
			"permissions: {}",
			"jobs:",
			"  ship:",
			"    runs-on: ubuntu-latest",
			"    environment: production",
			"    steps:",
			"      - uses: actions/setup-java@"+testSHA,
			"        with:",
			"          distribution: temurin",
			"          java-version: 21",
			"          cache: gradle",
		), want: []want{{finding.High, 8, 15, `job ship deploys to environment production`}}},
		{name: "a job that publishes on push", src: wf(push,
			"      - uses: actions/setup-python@"+testSHA,
			"        with:",
			"          cache: pip",
			"      - uses: pypa/gh-action-pypi-publish@"+testSHA,
		), want: []want{{finding.High, 9, 15, "a job that publishes with pypa/gh-action-pypi-publish@" + testSHA + " (line 12)"}}},
		{name: "image build that does not push", src: wf(push,
			"      - uses: docker/build-push-action@"+testSHA,
			"        with:",
			"          push: false",
			"          cache-from: type=gha",
		)},
		{name: "image build that pushes", src: wf(push,
			"      - uses: docker/build-push-action@"+testSHA,
			"        with:",
			"          push: true",
			"          cache-from: type=gha",
		), want: []want{{finding.High, 9, 15, `drop "type=gha" from "cache-from"`}}},
		{name: "ci on pull_request", src: lines(
			"on: pull_request",
			"permissions: {}",
			"jobs:",
			"  build:",
			"    runs-on: ubuntu-latest",
			"    steps:",
			"      - uses: actions/cache@"+testSHA,
			"        with:",
			"          path: x",
			"          key: k",
		)},
	})
}

// TestPublishReason: what makes a workflow one that publishes, and the
// near misses that do not (a name, a dry run, a build that is not pushed).
func TestPublishReason(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"on: push\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n", ""},
		{"on: release\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n", "it runs on release"},
		{"on: {push: {tags: ['v*']}}\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n", "it runs on tag pushes"},
		{"on: {push: {branches: [main]}}\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n", ""},
		{"on: registry_package\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n", "it runs on registry_package"},
		{"on: push\njobs: {a: {runs-on: x, environment: prod, steps: [{run: a}]}}\n", "job a deploys to environment prod"},
		{"name: Publish docs\non: push\njobs: {a: {runs-on: x, steps: [{run: a}]}}\n", ""},
		{"name: check releases\non: push\njobs: {a: {runs-on: x, steps: [{run: gh release list}]}}\n", ""},
		{"on: push\njobs: {a: {runs-on: x, steps: [{run: cargo publish --dry-run}]}}\n", ""},
		{"on: push\njobs: {a: {runs-on: x, steps: [{run: cargo publish --token $T}]}}\n", "job a runs `cargo publish --token $T`"},
		{"on: push\njobs: {a: {runs-on: x, steps: [{run: 'make && npm publish'}]}}\n", "job a runs `npm publish`"},
		{"on: push\njobs: {a: {runs-on: x, steps: [{run: gh release create v1}]}}\n", "job a runs `gh release create v1`"},
		{"on: push\njobs: {a: {runs-on: x, steps: [{run: goreleaser release --snapshot}]}}\n", ""},
		{"on: push\njobs: {a: {runs-on: x, steps: [{uses: pypa/gh-action-pypi-publish@v1}]}}\n", "job a publishes with pypa/gh-action-pypi-publish@v1"},
		{"- not a workflow\n", ""},
	}
	for _, tt := range tests {
		wf := parseWorkflow(&sourceFile{path: ".github/workflows/release.yml", kind: KindWorkflow, src: []byte(tt.src)})
		if got := wf.publishReason(); !strings.HasPrefix(got, tt.want) || (tt.want == "") != (got == "") {
			t.Errorf("%q: publishReason = %q, want %q", tt.src, got, tt.want)
		}
	}
}
