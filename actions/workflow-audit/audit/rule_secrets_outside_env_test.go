package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestSecretsOutsideEnv(t *testing.T) {
	wf := func(extra ...string) string {
		return lines(append(append([]string{"on: push", "permissions: {}", "jobs:", "  deploy:", "    runs-on: ubuntu-latest"}, extra...),
			"    steps:", "      - run: ./deploy", "        env:", "          TOKEN: ${{ secrets.DEPLOY_TOKEN }}")...)
	}
	pedantic := Options{Persona: PersonaPedantic}
	runRuleCases(t, RuleSecretsOutsideEnv, []ruleCase{
		{name: "secret without environment", src: wf(), opts: pedantic,
			want: []want{{finding.Low, 4, 3, `job "deploy" reads secrets.deploy_token but declares no "environment:"`}}},
		{name: "regular persona", src: wf()},
		{name: "secret in an environment", src: wf("    environment: production"), opts: pedantic},
		{name: "only the job token", opts: pedantic, src: lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - run: gh pr list", "        env:", "          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}")},
	})
}
