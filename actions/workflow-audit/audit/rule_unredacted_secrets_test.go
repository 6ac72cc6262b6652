package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestUnredactedSecrets(t *testing.T) {
	job := func(s ...string) string {
		return lines(append([]string{"on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:"}, s...)...)
	}
	runRuleCases(t, RuleUnredactedSecrets, []ruleCase{
		{name: "field of a JSON secret", src: job("      - run: deploy", "        env:", "          PASSWORD: ${{ fromJSON(secrets.CONFIG).password }}"),
			want: []want{{finding.Medium, 9, 21, "reads a field out of a secret"}}},
		{name: "index into a JSON secret", src: job("      - uses: o/deploy@"+testSHA, "        with:", "          key: ${{ fromJSON(secrets['CONFIG'])['key'] }}"),
			want: []want{{finding.Medium, 9, 16, "fromJSON(secrets['CONFIG'])['key']"}}},
		{name: "the whole secret", src: job("      - run: deploy", "        env:", "          CONFIG: ${{ secrets.CONFIG }}")},
		{name: "fromJSON of an output", src: job("      - run: echo ${{ fromJSON(steps.x.outputs.y).z }}")},
	})
}
