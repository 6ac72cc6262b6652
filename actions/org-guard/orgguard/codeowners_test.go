package orgguard

import "testing"

func TestCodeOwnersPatternsMatchAsGitHubReadsThem(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"*", ".github/hub.yml", true},
		{"/.github/", ".github/workflows/ci.yml", true},
		{"a/.github/", "sub/a/.github/hub.yml", false}, // an inner slash anchors
		{"policy/", "deep/policy/x.rego", true},        // a trailing slash alone does not
		{"/policy/", "deep/policy/x.rego", false},
		{"*.yml", ".github/workflows/ci.yml", true},
		{"/.github/workflows/*.yml", ".github/workflows/ci.yml", true},
		{"/.github/workflows/*.yml", ".github/workflows/sub/ci.yml", false},
		{"/docs/**/*.md", "docs/a/b/c.md", true},
		{"hub.yml", ".github/hub.yml", true},
		{"/hub.yml", ".github/hub.yml", false},
	} {
		if got := codeOwnersMatch(tc.pattern, tc.path); got != tc.want {
			t.Errorf("codeOwnersMatch(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
	rules := parseCodeOwners([]byte("# comment\n* @acme/dev\n/policy/ @acme/platform # inline\n/policy/legacy/\n"))
	if r := lastMatch(rules, "policy/"); r == nil || r.line != 3 || len(r.owners) != 1 {
		t.Errorf("policy/: %+v", r)
	}
	if r := lastMatch(rules, "policy/legacy/"); r == nil || r.line != 4 || len(r.owners) != 0 {
		t.Errorf("policy/legacy/: %+v", r)
	}
}
