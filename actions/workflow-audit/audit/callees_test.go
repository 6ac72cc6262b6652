package audit

import (
	"context"
	"strconv"
	"strings"
	"testing"
)

// calleeBuild is a reusable workflow that checks out the pull request's
// head and runs it: harmless on its own trigger, a pwn request when a
// pull_request_target workflow calls it.
const calleeBuild = `on:
  workflow_call:
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@` + testSHA + `
        with:
          ref: ${{ github.event.pull_request.head.sha }}
          persist-credentials: false
      - run: make test
`

func caller(trigger, callee string) string {
	return "on: " + trigger + "\npermissions:\n  contents: read\njobs:\n  call:\n    uses: " + callee + "\n"
}

func TestCalleesInheritTriggers(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // "path:line rule" of the dangerous-triggers findings
		via   string
	}{
		{"pull_request_target caller", map[string]string{
			".github/workflows/pwn.yml":   caller("pull_request_target", "./.github/workflows/build.yml"),
			".github/workflows/build.yml": calleeBuild,
		}, []string{".github/workflows/build.yml:11"}, "runs on pull_request_target through .github/workflows/pwn.yml"},
		{"through a chain of calls", map[string]string{
			".github/workflows/pwn.yml":    caller("pull_request_target", "./.github/workflows/middle.yml"),
			".github/workflows/middle.yml": "on:\n  workflow_call:\njobs:\n  next:\n    uses: ./.github/workflows/build.yml\n",
			".github/workflows/build.yml":  calleeBuild,
		}, []string{".github/workflows/build.yml:11"}, "through .github/workflows/middle.yml"},
		{"near miss: a push caller", map[string]string{
			".github/workflows/ci.yml":    caller("push", "./.github/workflows/build.yml"),
			".github/workflows/build.yml": calleeBuild,
		}, nil, ""},
		{"near miss: the callee does not take workflow_call", map[string]string{
			".github/workflows/pwn.yml":   caller("pull_request_target", "./.github/workflows/build.yml"),
			".github/workflows/build.yml": strings.Replace(calleeBuild, "workflow_call:", "push:", 1),
		}, nil, ""},
		{"a cycle ends", map[string]string{
			".github/workflows/pwn.yml": caller("pull_request_target", "./.github/workflows/a.yml"),
			".github/workflows/a.yml":   "on:\n  workflow_call:\njobs:\n  b:\n    uses: ./.github/workflows/b.yml\n",
			".github/workflows/b.yml":   "on:\n  workflow_call:\njobs:\n  a:\n    uses: ./.github/workflows/a.yml\n",
		}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Scan(context.Background(), writeTree(t, tt.files), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				if f.Rule != RuleDangerousTriggers {
					continue
				}
				got = append(got, f.Path+":"+strconv.Itoa(f.Line))
				if !strings.Contains(f.Message, tt.via) {
					t.Errorf("message %q does not say %q", f.Message, tt.via)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("dangerous-triggers findings %v, want %v", got, tt.want)
			}
		})
	}
}

// The callee pass adds only what the callee's inherited triggers change:
// a finding the callee has on its own is not reported twice.
func TestCalleePassDoesNotRepeatFindings(t *testing.T) {
	files := map[string]string{
		".github/workflows/pwn.yml":   caller("pull_request_target", "./.github/workflows/build.yml"),
		".github/workflows/build.yml": strings.Replace(calleeBuild, "actions/checkout@"+testSHA, "actions/checkout@v4", 1),
	}
	rep, err := Scan(context.Background(), writeTree(t, files), Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range rep.Findings {
		if f.Rule == RuleUnpinnedUses && f.Path == ".github/workflows/build.yml" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d unpinned-uses findings on the callee, want 1", n)
	}
}
