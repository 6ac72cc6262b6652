package audit

import (
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func TestUnpinnedUsesSteps(t *testing.T) {
	tests := []struct {
		name string
		uses string
		want *want
	}{
		{"full sha with version comment", "actions/checkout@" + testSHA + " # v4.2.2", nil},
		{"full sha in a sub-path", "octo/mono/sub/dir@" + testSHA, nil},
		{"local action", "./.github/actions/build", nil},
		{"docker uses belong to the image rule", "docker://alpine:3", nil},
		{"tag", "actions/checkout@v4", &want{finding.High, 6, 15, `action "actions/checkout@v4" is not pinned to a commit: "v4" is a tag or branch`}},
		{"semver tag", "actions/checkout@v4.2.2", &want{finding.High, 6, 15, "(actions/checkout@<sha> # v4.2.2)"}},
		{"branch", "actions/checkout@main", &want{finding.High, 6, 15, `"main" is a tag or branch`}},
		{"branch with slash", "octo/x@release/v1", &want{finding.High, 6, 15, `"release/v1" is a tag or branch`}},
		{"short sha 7", "actions/checkout@11bd719", &want{finding.High, 6, 15, "short SHA (7 hex digits)"}},
		{"short sha 39", "actions/checkout@" + testSHA[:39], &want{finding.High, 6, 15, "short SHA (39 hex digits)"}},
		{"41 hex is a name, not a sha", "actions/checkout@" + testSHA + "0", &want{finding.High, 6, 15, "tag or branch"}},
		{"upper-case sha", "actions/checkout@11BD71901BBE5B1630CEEA73D27597364C9AF683", &want{finding.High, 6, 15, "upper case"}},
		{"path in repo with tag", "octo/mono/sub@v1", &want{finding.High, 6, 15, "(octo/mono/sub@<sha> # v1)"}},
		{"no ref", "actions/checkout", &want{finding.High, 6, 15, "has no @ref"}},
		{"empty ref", "actions/checkout@", &want{finding.High, 6, 15, "has no @ref"}},
		{"not owner/repo", "checkout@v4", &want{finding.High, 6, 15, `is neither an "owner/repo[/path]@ref" reference`}},
		{"expression", "'${{ matrix.action }}'", &want{finding.High, 6, 15, "is an expression"}},
		{"quoted value keeps its position", `"actions/checkout@v4"`, &want{finding.High, 6, 15, `"actions/checkout@v4"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scanTree(t, map[string]string{".github/workflows/ci.yml": stepWorkflow(tt.uses)}, Options{})
			checkOne(t, only(r.Findings, RuleUnpinnedUses), tt.want)
		})
	}
}

func TestUnpinnedUsesReusableWorkflow(t *testing.T) {
	tests := []struct {
		name string
		uses string
		want *want
	}{
		{"tag", "octo/workflows/.github/workflows/x.yml@v1", &want{finding.High, 4, 11, `reusable workflow "octo/workflows/.github/workflows/x.yml@v1" is not pinned`}},
		{"branch", "octo/workflows/.github/workflows/x.yml@main", &want{finding.High, 4, 11, `"main" is a tag or branch`}},
		{"full sha", "octo/workflows/.github/workflows/x.yml@" + testSHA + " # v1.0.0", nil},
		{"local", "./.github/workflows/x.yml", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wf := "on: push\njobs:\n  call:\n    uses: " + tt.uses + "\n"
			r := scanTree(t, map[string]string{".github/workflows/ci.yml": wf}, Options{})
			checkOne(t, only(r.Findings, RuleUnpinnedUses), tt.want)
			checkOne(t, only(r.Findings, RuleInvalidWorkflow), nil)
		})
	}
}

func TestUnpinnedUsesCompositeAction(t *testing.T) {
	tests := []struct {
		name string
		uses string
		want *want
	}{
		{"tag", "actions/setup-go@v5", &want{finding.High, 6, 13, `action "actions/setup-go@v5" is not pinned`}},
		{"short sha", "actions/setup-go@abcdef1", &want{finding.High, 6, 13, "short SHA"}},
		{"full sha", "actions/setup-go@" + testSHA + " # v5.0.0", nil},
		{"local", "./other", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action := "name: x\ndescription: y\nruns:\n  using: composite\n  steps:\n    - uses: " + tt.uses + "\n"
			r := scanTree(t, map[string]string{"sub/action.yml": action}, Options{})
			checkOne(t, only(r.Findings, RuleUnpinnedUses), tt.want)
			checkOne(t, only(r.Findings, RuleInvalidWorkflow), nil)
		})
	}
}

func TestAllowUnpinned(t *testing.T) {
	tests := []struct {
		allow []string
		uses  string
		fires bool
	}{
		{[]string{"actions"}, "actions/checkout@v4", false},
		{[]string{"actions"}, "actions/cache/save@v4", false},
		{[]string{"actions"}, "actions-rs/toolchain@v1", true},
		{[]string{"actions"}, "evil/actions@v1", true},
		{[]string{"actions/checkout"}, "actions/checkout@main", false},
		{[]string{"actions/checkout"}, "actions/checkout-extra@main", true},
		{[]string{"actions/checkout"}, "actions/cache@v4", true},
		{[]string{"Octo-Org/Repo"}, "octo-org/repo/sub@v1", false},
		{[]string{"octo"}, "'${{ matrix.a }}'", true},
		{[]string{"library/alpine"}, "docker://alpine:3", false},
		{[]string{"library"}, "docker://node:20", false},
		{[]string{"library/alpine"}, "docker://node:20", true},
		{[]string{"octo"}, "docker://ghcr.io/octo/tool:1", false},
		{[]string{"octo/tool"}, "docker://ghcr.io/octo/tool:1", false},
		{[]string{"octo/tool"}, "docker://ghcr.io/octo/other:1", true},
		{[]string{"octo"}, "docker://octo:1", true}, // Docker Hub official image library/octo
	}
	for _, tt := range tests {
		t.Run(tt.uses, func(t *testing.T) {
			r := scanTree(t, map[string]string{".github/workflows/ci.yml": stepWorkflow(tt.uses)}, Options{AllowUnpinned: tt.allow})
			pins := append(only(r.Findings, RuleUnpinnedUses), only(r.Findings, RuleUnpinnedImages)...)
			if got := len(pins) > 0; got != tt.fires {
				t.Errorf("allow %v, uses %s: fires = %v, want %v:%s", tt.allow, tt.uses, got, tt.fires, dump(pins))
			}
		})
	}
}
