package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestUseTrustedPublishing(t *testing.T) {
	job := func(s ...string) string {
		return lines(append([]string{"on: release", "permissions: {}", "jobs:", "  publish:", "    runs-on: ubuntu-latest", "    steps:"}, s...)...)
	}
	runRuleCases(t, RuleUseTrustedPublishing, []ruleCase{
		{name: "pypi action with a password", src: job("      - uses: pypa/gh-action-pypi-publish@"+testSHA, "        with:", "          password: ${{ secrets.PYPI_TOKEN }}"),
			want: []want{{finding.Low, 9, 21, "stored PyPI token"}}},
		{name: "pypi action without a password", src: job("      - uses: pypa/gh-action-pypi-publish@" + testSHA)},
		{name: "twine with a password variable", src: job("      - run: twine upload dist/*", "        env:", "          TWINE_USERNAME: __token__", "          TWINE_PASSWORD: ${{ secrets.PYPI }}"),
			want: []want{{finding.Low, 7, 14, "publishes to PyPI with a stored token"}}},
		{name: "cargo publish with a job-level token", src: lines("on: release", "permissions: {}", "jobs:", "  publish:", "    runs-on: ubuntu-latest", "    env:", "      CARGO_REGISTRY_TOKEN: ${{ secrets.CRATES }}", "    steps:", "      - run: cargo publish"),
			want: []want{{finding.Low, 9, 14, "crates.io"}}},
		{name: "cargo publish dry run", src: job("      - run: cargo publish --dry-run --token ${{ secrets.CRATES }}")},
		{name: "gem push with a key flag", src: job("      - run: gem push --key rubygems pkg.gem"),
			want: []want{{finding.Low, 7, 14, "RubyGems"}}},
		{name: "npm publish with provenance and no token", src: job("      - run: npm publish --provenance")},
	})
}
