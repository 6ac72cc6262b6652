package audit

import (
	"errors"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestKnownCompromised(t *testing.T) {
	wf := func(uses string) string {
		return lines("on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:", "      - uses: "+uses)
	}
	crit := func(contains string) []want { return []want{{finding.Critical, 7, 15, contains}} }
	runRuleCases(t, RuleKnownCompromised, []ruleCase{
		{name: "tj-actions malicious commit", src: wf("tj-actions/changed-files@0e58ed8671d6b60d0890c21b07f8835ace038e67"),
			want: crit(`action "tj-actions/changed-files@0e58ed8671d6b60d0890c21b07f8835ace038e67" is pinned to a malicious commit (served as every tag v1 to v45.0.7) of tj-actions/changed-files (CVE-2025-30066, GHSA-mrrh-fwg8-r2c3)`)},
		{name: "tj-actions upper-case commit", src: wf("tj-actions/changed-files@0E58ED8671D6B60D0890C21B07F8835ACE038E67"),
			want: crit("CVE-2025-30066")},
		{name: "tj-actions major tag", src: wf("tj-actions/changed-files@v45"),
			want: crit("uses tag v45, which an attacker moved to malicious code (CVE-2025-30066, GHSA-mrrh-fwg8-r2c3)")},
		{name: "tj-actions last moved tag", src: wf("tj-actions/changed-files@v45.0.7"), want: crit("v45.0.7")},
		{name: "tj-actions first tag", src: wf("tj-actions/changed-files@v1"), want: crit("uses tag v1,")},
		{name: "tj-actions sub-path", src: wf("tj-actions/changed-files/sub@v35.9.3"), want: crit("v35.9.3")},
		{name: "tj-actions later release", src: wf("tj-actions/changed-files@v46.0.1")},
		{name: "tj-actions later major", src: wf("tj-actions/changed-files@v46")},
		{name: "tj-actions unrelated commit", src: wf("tj-actions/changed-files@" + testSHA)},
		{name: "tj-actions branch", src: wf("tj-actions/changed-files@main")},
		{name: "reviewdog v1", src: wf("reviewdog/action-setup@v1"), want: crit("CVE-2025-30154")},
		{name: "reviewdog malicious commit", src: wf("reviewdog/action-setup@f0d342d24037bb11d26b9bd8496e0808ba32e9ec"), want: crit("(served as v1)")},
		{name: "reviewdog v1.3.0 was not moved", src: wf("reviewdog/action-setup@v1.3.0")},
		{name: "reviewdog dependent", src: wf("reviewdog/action-shellcheck@" + testSHA),
			want: []want{{finding.Low, 7, 15, "loads reviewdog/action-setup by a moving tag, so whatever version of it is pinned it ran the compromised code in 2025-03-11 18:42 to 20:31 UTC"}}},
		{name: "trivy-action moved tag", src: wf("aquasecurity/trivy-action@0.34.2"), want: crit("CVE-2026-33634")},
		{name: "trivy-action first tag", src: wf("aquasecurity/trivy-action@0.0.1"), want: crit("uses tag 0.0.1,")},
		{name: "trivy-action malicious commit", src: wf("aquasecurity/trivy-action@ddb9da4475c1cef7d5389062bdfdfbdbd1394648"), want: crit("(served as 0.34.2)")},
		{name: "trivy-action restored v-prefixed tag", src: wf("aquasecurity/trivy-action@v0.34.0")},
		{name: "trivy-action safe release", src: wf("aquasecurity/trivy-action@0.35.0")},
		{name: "trivy-action safe commit", src: wf("aquasecurity/trivy-action@57a97c7e7821a5776cebc9bb87c984fa69cba8f1")},
		{name: "setup-trivy moved tag", src: wf("aquasecurity/setup-trivy@v0.2.5"), want: crit("(safe: v0.2.6)")},
		{name: "setup-trivy re-created tag", src: wf("aquasecurity/setup-trivy@v0.2.6")},
		{name: "setup-trivy pinned to what trivy-action 0.35.0 uses", src: wf("aquasecurity/setup-trivy@e6c2c5e321ed9123bda567646e2f96565e34abe1")},
		{name: "reusable workflow from a compromised repository", src: lines(
			"on: push", "permissions: {}", "jobs:", "  a:", "    uses: tj-actions/changed-files/.github/workflows/x.yml@v44"),
			want: []want{{finding.Critical, 5, 11, "v44"}}},
		{name: "composite action step", path: "act/action.yml", src: lines(
			"name: a", "description: b", "runs:", "  using: composite", "  steps:", "    - uses: tj-actions/changed-files@v41"),
			want: []want{{finding.Critical, 6, 13, "v41"}}},
	})
}

func TestAdvisoriesFile(t *testing.T) {
	db, err := loadAdvisories(advisoriesJSON)
	if err != nil {
		t.Fatal(err)
	}
	if db.Updated < db.Generated {
		t.Errorf("updated %s is before generated %s", db.Updated, db.Generated)
	}
	actions := map[string]bool{}
	for _, a := range db.Advisories {
		actions[a.Action] = true
		if a.Published > db.Updated {
			t.Errorf("%s published %s after the list's date %s", a.ID, a.Published, db.Updated)
		}
		for _, c := range a.Commits {
			if m := db.lookup(actionRef{owner: strings.Split(a.Action, "/")[0], repo: strings.Split(a.Action, "/")[1], ref: c.SHA}); len(m) == 0 || m[0].commit == nil {
				t.Errorf("%s: commit %s does not match itself", a.Action, c.SHA)
			}
		}
	}
	for _, want := range []string{"tj-actions/changed-files", "reviewdog/action-setup", "aquasecurity/trivy-action", "aquasecurity/setup-trivy"} {
		if !actions[want] {
			t.Errorf("no advisory for %s", want)
		}
	}
}

func TestLoadAdvisoriesRejects(t *testing.T) {
	good := `{"schema":1,"generated":"2026-01-02","updated":"2026-01-02","about":"x","advisories":[` +
		`{"id":"CVE-2025-30066","aliases":["GHSA-mrrh-fwg8-r2c3"],"action":"tj-actions/changed-files","published":"2025-03-15",` +
		`"window":"w","summary":"s","commits":[{"sha":"` + testSHA + `"}],"tagRanges":[{"prefix":"v","first":"1","last":"45.0.7"}],` +
		`"references":["https://github.com/advisories/GHSA-mrrh-fwg8-r2c3"]}]}`
	if _, err := loadAdvisories([]byte(good)); err != nil {
		t.Fatalf("good list rejected: %v", err)
	}
	tests := []struct{ name, old, new, contains string }{
		{"unknown field", `"about":"x"`, `"about":"x","extra":1`, "unknown field"},
		{"bad date", `"updated":"2026-01-02"`, `"updated":"2026-13-02"`, "updated: expected a YYYY-MM-DD date"},
		{"bad id", `"CVE-2025-30066"`, `"CVE-25"`, `identifier "CVE-25"`},
		{"short sha", testSHA, testSHA[:12], "is not a full lower-case SHA"},
		{"upper-case action", `"tj-actions/changed-files"`, `"TJ-Actions/changed-files"`, "is not a lower-case owner/repo"},
		{"reversed range", `"first":"1","last":"45.0.7"`, `"first":"46","last":"45.0.7"`, "is not an ordered pair"},
		{"http reference", `"https://github.com/advisories`, `"http://github.com/advisories`, "is not an https URL"},
		{"nothing to match", `"commits":[{"sha":"` + testSHA + `"}],"tagRanges":[{"prefix":"v","first":"1","last":"45.0.7"}],`, ``, "lists no commit, tag or tag range"},
		{"wrong schema", `"schema":1`, `"schema":2`, `schema: expected "1", got "2"`},
		{"trailing data", `]}]}`, `]}]}{}`, "data after the top-level object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(good, tt.old, tt.new, 1)
			if bad == good {
				t.Fatal("replacement did not apply")
			}
			_, err := loadAdvisories([]byte(bad))
			if !errors.Is(err, errAdvisories) || !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("err = %v, want errAdvisories containing %q", err, tt.contains)
			}
		})
	}
}

func TestTagRange(t *testing.T) {
	v := tagRange{Prefix: "v", First: "1", Last: "45.0.7"}
	bare := tagRange{Prefix: "", First: "0.0.1", Last: "0.34.2"}
	tests := []struct {
		r    tagRange
		tag  string
		want bool
	}{
		{v, "v1", true}, {v, "v45", true}, {v, "v45.0", true}, {v, "v45.0.7", true}, {v, "V44.5.1", true},
		{v, "v45.0.8", false}, {v, "v45.1", false}, {v, "v46", false}, {v, "v0.9", false}, {v, "45.0.0", false},
		{v, "v45.0.7-rc1", false}, {v, "v", false}, {v, "main", false}, {v, "v1.2.3.4", false},
		{bare, "0.34.2", true}, {bare, "0.0.1", true}, {bare, "0.35.0", false}, {bare, "v0.34.2", false}, {bare, "0.0.0", false},
	}
	for _, tt := range tests {
		if got := tt.r.contains(tt.tag); got != tt.want {
			t.Errorf("%s%s..%s contains %q = %v, want %v", tt.r.Prefix, tt.r.First, tt.r.Last, tt.tag, got, tt.want)
		}
	}
}
