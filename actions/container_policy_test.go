package actions

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The policy gate's image as the runner runs it, every input at its
// action.yml default but the ones a workflow sets: the shipped
// pinned-actions example over a repository's workflows passes while
// everything is pinned, denies at the line of the one pin undone, and a
// YAML value holding a workflow command that a deny message quotes stays
// text in the log.
func TestPolicyContainer(t *testing.T) {
	requireDocker(t)
	const checkout = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"
	repo := map[string]string{
		".github/workflows/ci.yml":      "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: " + checkout + "\n      - run: go test ./...\n",
		".github/workflows/release.yml": "name: release\non:\n  push:\n    tags: ['v*']\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: " + checkout + "\n      - uses: ./.github/actions/build\n",
	}
	for _, name := range []string{"pinned_actions.rego", "pinned_actions_test.rego"} {
		b, err := os.ReadFile(filepath.Join("policy", "examples", "pinned-actions", name))
		if err != nil {
			t.Fatal(err)
		}
		repo["policy/"+name] = string(b)
	}
	inputs := map[string]string{"namespaces": "hub.pinned_actions", "files": ".github/workflows", "evidence-dir": "evidence"}
	for _, tc := range []struct {
		name    string
		edit    map[string]string
		exit    int
		outputs map[string]string
	}{
		{"pinned", nil, 0, map[string]string{"verdict": "passed", "denials": "0", "documents": "2", "tests-failed": "0", "coverage": "100.0", "sarif-file": "policy.sarif"}},
		{"unpinned", map[string]string{".github/workflows/ci.yml": strings.Replace(repo[".github/workflows/ci.yml"], checkout, "actions/checkout@v4", 1)}, 1,
			map[string]string{"verdict": "denied", "denials": "1", "findings": "1"}},
		{"hostile-value", map[string]string{".github/workflows/evil.yml": "on: push\njobs:\n  x:\n    steps:\n      - uses: \"a/b@main\\n::error::PWNED\\n::stop-commands::x\"\n"}, 1,
			map[string]string{"verdict": "denied", "denials": "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			writeTree(t, ws, repo)
			writeTree(t, ws, tc.edit)
			r := runGateImage(t, "policy", ws, inputs, nil, "")
			r.wantExit(t, tc.exit)
			r.wantOutputs(t, tc.outputs)
			r.wantSummaryHead(t, map[int]string{0: "## ✅ policy: passed", 1: "## ❌ policy: denied"}[tc.exit])
			b, err := os.ReadFile(filepath.Join(ws, "policy.sarif"))
			if err != nil {
				t.Fatal(err)
			}
			var log struct {
				Runs []struct {
					Results []struct {
						RuleID    string `json:"ruleId"`
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string } `json:"artifactLocation"`
								Region           struct{ StartLine int }
							} `json:"physicalLocation"`
						}
					}
				}
			}
			if err := json.Unmarshal(b, &log); err != nil {
				t.Fatal(err)
			}
			if got := len(log.Runs[0].Results); got != tc.exit {
				t.Fatalf("SARIF holds %d results, want %d", got, tc.exit)
			}
			switch tc.name {
			case "unpinned":
				res := log.Runs[0].Results[0]
				loc := res.Locations[0].PhysicalLocation
				if res.RuleID != "policy-deny" || loc.ArtifactLocation.URI != ".github/workflows/ci.yml" || loc.Region.StartLine != 7 {
					t.Errorf("SARIF result: %+v", res)
				}
			case "hostile-value":
				if !strings.Contains(r.Stdout, "PWNED") {
					t.Errorf("the hostile value is not in the log at all:\n%s", r.Stdout)
				}
			}
			matches, _ := filepath.Glob(filepath.Join(ws, "evidence", "policy-*.json"))
			if len(matches) != 1 {
				t.Errorf("evidence files: %v", matches)
			}
		})
	}
}
