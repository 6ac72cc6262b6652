package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestAdhocPackages(t *testing.T) {
	run := func(script string) string {
		return lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - run: "+script)
	}
	ped := Options{Persona: PersonaPedantic}
	runRuleCases(t, RuleAdhocPackages, []ruleCase{
		{name: "gem install", src: run("gem install --no-document rake"),
			want: []want{{finding.Low, 7, 14, "installs rake by name"}}},
		{name: "gem build", src: run("gem build foo.gemspec")},
		{name: "bundle install", src: run("bundle install")},
		{name: "pip install: pedantic only", src: run("pip install requests")},
		{name: "pip install, pedantic", src: run("pip install requests"), opts: ped,
			want: []want{{finding.Low, 7, 14, "installs requests"}}},
		{name: "pip install from requirements", src: run("pip install -r requirements.txt"), opts: ped},
		{name: "pip install pinned", src: run("pip install requests==2.32.3"), opts: ped},
		{name: "npm global", src: run("npm install -g typescript"), opts: ped,
			want: []want{{finding.Low, 7, 14, "typescript"}}},
		{name: "npm ci", src: run("npm ci"), opts: ped},
		{name: "cargo install locked", src: run("cargo install --locked cargo-deny"), opts: ped},
	})
}
