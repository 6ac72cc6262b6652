package actions

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A repository as workflow-audit meets it: workflows, a composite action,
// a Dockerfile, no .github/hub.yml. Run with every input at its default it
// passes while everything is pinned, and denies with the position of the
// one pin undone; a file name that is a workflow command stays text.
func TestWorkflowAuditContainer(t *testing.T) {
	requireDocker(t)
	const checkout = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
	repo := map[string]string{
		".github/workflows/ci.yml":      "name: ci\non: [push, pull_request]\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: " + checkout + "\n        with:\n          persist-credentials: false\n      - run: go test ./...\n",
		".github/workflows/release.yml": "name: release\non:\n  push:\n    tags: ['v*']\npermissions: {}\nconcurrency: release\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    permissions:\n      contents: read\n    steps:\n      - uses: " + checkout + "\n        with:\n          persist-credentials: false\n      - run: make dist\n",
		"tools/setup/action.yml":        "name: setup\ndescription: set up\nruns:\n  using: composite\n  steps:\n    - uses: " + checkout + "\n      with:\n        persist-credentials: false\n",
		"Dockerfile":                    "FROM golang:1.26@sha256:" + strings.Repeat("c", 64) + " AS build\nRUN go build ./...\nFROM scratch\nCOPY --from=build /app /app\n",
	}
	for _, tc := range []struct {
		name    string
		edit    map[string]string
		exit    int
		outputs map[string]string
	}{
		{"pinned", nil, 0, map[string]string{"verdict": "passed", "findings": "0", "files": "4", "sarif-file": "workflow-audit.sarif"}},
		{"unpinned", map[string]string{".github/workflows/ci.yml": strings.Replace(repo[".github/workflows/ci.yml"], checkout, "actions/checkout@v4", 1)}, 1,
			map[string]string{"verdict": "denied", "findings": "1", "high": "1"}},
		{"hostile-name", map[string]string{"::error::PWNED.Dockerfile": "FROM alpine:3\n"}, 1, map[string]string{"verdict": "denied"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			writeTree(t, ws, repo)
			writeTree(t, ws, tc.edit)
			r := runGateImage(t, "workflow-audit", ws, map[string]string{"evidence-dir": "evidence"}, nil, "")
			r.wantExit(t, tc.exit)
			r.wantOutputs(t, tc.outputs)
			r.wantSummaryHead(t, map[int]string{0: "## ✅ workflow-audit: passed", 1: "## ❌ workflow-audit: denied"}[tc.exit])
			b, err := os.ReadFile(filepath.Join(ws, "workflow-audit.sarif"))
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
				loc := log.Runs[0].Results[0].Locations[0].PhysicalLocation
				if log.Runs[0].Results[0].RuleID != "unpinned-uses" || loc.ArtifactLocation.URI != ".github/workflows/ci.yml" || loc.Region.StartLine != 9 {
					t.Errorf("SARIF result: %+v", log.Runs[0].Results[0])
				}
			case "hostile-name":
				if !strings.Contains(r.Stdout, `\::error::PWNED.Dockerfile:1:`) {
					t.Errorf("the hostile file name is not printed escaped:\n%s", r.Stdout)
				}
			}
			matches, _ := filepath.Glob(filepath.Join(ws, "evidence", "workflow-audit-*.json"))
			if len(matches) != 1 {
				t.Errorf("evidence files: %v", matches)
			}
		})
	}
}
