package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestObfuscation(t *testing.T) {
	step := func(s ...string) string {
		return lines(append([]string{"on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:"}, s...)...)
	}
	runRuleCases(t, RuleObfuscation, []ruleCase{
		{name: "dot component", src: step("      - uses: actions/checkout/./@" + testSHA),
			want: []want{{finding.Low, 7, 15, `holds "." and an empty component`}}},
		{name: "double slash and dot-dot", src: step("      - uses: github/codeql-action//init/../analyze@" + testSHA),
			want: []want{{finding.Low, 7, 15, `an empty component and ".."`}}},
		{name: "plain path", src: step("      - uses: github/codeql-action/analyze@" + testSHA)},
		{name: "local action", src: step("      - uses: ./.github/actions/build")},
		{name: "constant format", src: step("      - run: echo ${{ format('{0}{1}', 'cu', 'rl') }} evil.sh"),
			want: []want{{finding.Low, 7, 19, "computes a constant from literals with format()"}}},
		{name: "format of a context", src: step("      - run: echo ${{ format('{0}', github.sha) }}")},
		{name: "hashFiles of a literal", src: step("      - run: echo ${{ hashFiles('go.sum') }}")},
		{name: "constant in a with input", src: step("      - uses: actions/github-script@"+testSHA, "        with:", "          script: ${{ fromJSON('\"console.log(1)\"') }}"),
			want: []want{{finding.Low, 9, 19, "fromJSON()"}}},
	})
}
