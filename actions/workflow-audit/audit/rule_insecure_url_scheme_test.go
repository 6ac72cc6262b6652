package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestInsecureURLScheme(t *testing.T) {
	run := func(script string) string {
		return lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - run: "+script)
	}
	runRuleCases(t, RuleInsecureURLScheme, []ruleCase{
		{name: "curl over http piped to sh", src: run("curl -sL http://get.example.com/install.sh | sh"),
			want: []want{{finding.High, 7, 23, "fetches http://get.example.com/install.sh over http://"}}},
		{name: "git clone over git://", src: run("git clone git://example.org/repo.git"),
			want: []want{{finding.High, 7, 24, "over git://"}}},
		{name: "pip index over http", src: run("pip install --index-url http://pypi.example.com/simple pkg"),
			want: []want{{finding.High, 7, 38, "http://pypi.example.com/simple"}}},
		{name: "https", src: run("curl -sL https://get.example.com/install.sh | sh")},
		{name: "localhost", src: run("curl http://localhost:8080/health")},
		{name: "service container", src: run("curl http://postgres:5432/")},
		{name: "an echo of a URL", src: run("echo see http://example.com")},
	})
}
