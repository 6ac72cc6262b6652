package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestUnpinnedTools(t *testing.T) {
	step := func(s ...string) string {
		return lines(append([]string{"on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:"}, s...)...)
	}
	runRuleCases(t, RuleUnpinnedTools, []ruleCase{
		{name: "setup-trivy without a version", src: step("      - uses: aquasecurity/setup-trivy@" + testSHA),
			want: []want{{finding.Medium, 7, 15, `without "version" installs the newest release`}}},
		{name: "setup-trivy with a version", src: step("      - uses: aquasecurity/setup-trivy@"+testSHA, "        with:", "          version: v0.65.0")},
		{name: "golangci-lint latest", src: step("      - uses: golangci/golangci-lint-action@"+testSHA, "        with:", "          version: latest"),
			want: []want{{finding.Medium, 9, 20, `"version" is "latest"`}}},
		{name: "golangci-lint default", src: step("      - uses: golangci/golangci-lint-action@" + testSHA)},
		{name: "setup-just star", src: step("      - uses: extractions/setup-just@"+testSHA, "        with:", "          just-version: '*'"),
			want: []want{{finding.Medium, 9, 25, `"*"`}}},
		{name: "version by expression, pedantic", src: step("      - uses: aquasecurity/setup-trivy@"+testSHA, "        with:", "          version: ${{ inputs.trivy }}"), opts: Options{Persona: PersonaPedantic},
			want: []want{{finding.Medium, 9, 20, "is an expression"}}},
		{name: "version by expression", src: step("      - uses: aquasecurity/setup-trivy@"+testSHA, "        with:", "          version: ${{ inputs.trivy }}")},
	})
}
