package policygate

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// example returns the files of a shipped example policy under policy/.
func example(t *testing.T, name string) map[string]string {
	t.Helper()
	files := map[string]string{}
	dir := filepath.Join("..", "examples", name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".rego" {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			files["policy/"+e.Name()] = string(b)
		}
	}
	if len(files) < 2 {
		t.Fatalf("example %s has %d Rego files, want a policy and its tests", name, len(files))
	}
	return files
}

const (
	pinnedCheckout = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"
	prtWorkflow    = "name: label\non:\n  pull_request_target:\n    types: [opened]\njobs:\n  label:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/labeler@8558fd74291d67161a8a78ce36a881fa63b766a9\n"
	prtCheckout    = "name: build\non: pull_request_target\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: " + pinnedCheckout + "\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: make test\n"
	allowBoth      = "hub_config:\n  pull_request_target:\n    allowed:\n      - .github/workflows/label.yml\n      - .github/workflows/build.yml\n"
)

// Each example runs its own unit tests first (all pass, every line
// covered) and then decides over realistic files: the safe files pass,
// the tampered ones deny at the offending line.
func TestExamples(t *testing.T) {
	for _, tc := range []struct {
		name, example string
		files         map[string]string
		edit          func(*options)
		want          []string
	}{
		{"prt allow-listed and safe", "pull-request-target", map[string]string{".github/workflows/label.yml": prtWorkflow, "hub.yaml": allowBoth},
			func(o *options) { o.namespaces = []string{"hub.pull_request_target"}; o.data = []string{"hub.yaml"} }, nil},
		{"prt checks out the head", "pull-request-target", map[string]string{".github/workflows/label.yml": prtWorkflow, ".github/workflows/build.yml": prtCheckout, "hub.yaml": allowBoth},
			func(o *options) { o.namespaces = []string{"hub.pull_request_target"}; o.data = []string{"hub.yaml"} },
			[]string{".github/workflows/build.yml:9: job build step 1 checks out the pull request's code (ref: ${{ github.event.pull_request.head.sha }}) in a pull_request_target workflow"}},
		{"prt not allow-listed", "pull-request-target", map[string]string{".github/workflows/label.yml": prtWorkflow},
			func(o *options) { o.namespaces = []string{"hub.pull_request_target"} },
			[]string{".github/workflows/label.yml:3: .github/workflows/label.yml is triggered by pull_request_target but is not in the allowlist (data.hub_config.pull_request_target.allowed)"}},
		{"pinned", "pinned-actions", map[string]string{".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: " + pinnedCheckout + "\n      - uses: ./.github/actions/setup\n"},
			func(o *options) { o.namespaces = []string{"hub.pinned_actions"} }, nil},
		{"unpinned", "pinned-actions", map[string]string{".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: " + pinnedCheckout + "\n      - uses: actions/setup-go@v5\n  call:\n    uses: org/repo/.github/workflows/r.yml@main\n"},
			func(o *options) { o.namespaces = []string{"hub.pinned_actions"} },
			[]string{".github/workflows/ci.yml:7: job t step 2 uses actions/setup-go@v5: pin it to a full 40-character commit SHA (keep the tag in a comment)",
				".github/workflows/ci.yml:9: job call calls org/repo/.github/workflows/r.yml@main: pin it to a full 40-character commit SHA (keep the tag in a comment)"}},
		{"required gates passed", "required-gates", map[string]string{"evidence/a.json": record("workflow-audit", "passed", 0), "evidence/b.json": record("sarif-gate", "passed", 0), "hub.yaml": "hub_config:\n  required_gates:\n    gates: [workflow-audit, sarif-gate]\n"},
			func(o *options) {
				o.namespaces, o.combine, o.data, o.files = []string{"hub.required_gates"}, true, []string{"hub.yaml"}, []string{"evidence"}
			}, nil},
		{"required gate denied", "required-gates", map[string]string{"evidence/a.json": record("workflow-audit", "passed", 0), "evidence/b.json": record("sarif-gate", "denied", 1), "hub.yaml": "hub_config:\n  required_gates:\n    gates: [workflow-audit, sarif-gate]\n"},
			func(o *options) {
				o.namespaces, o.combine, o.data, o.files = []string{"hub.required_gates"}, true, []string{"hub.yaml"}, []string{"evidence"}
			}, []string{"evidence/b.json:5: required gate sarif-gate did not pass: verdict denied (exit code 1, mode enforce)"}},
		{"llm governance approved", "llm-governance", map[string]string{"pr.json": pullRequest("[]", `{"user": {"login": "alice", "type": "User"}, "state": "APPROVED", "submitted_at": "2026-11-02T10:00:00Z"}`), "hub.yaml": llmConfig},
			func(o *options) {
				o.namespaces, o.data, o.files = []string{"hub.llm_governance"}, []string{"hub.yaml"}, []string{"pr.json"}
			}, nil},
		{"llm governance assisted", "llm-governance", map[string]string{"pr.json": pullRequest(`[{"name": "llm-assisted"}]`, `{"user": {"login": "alice", "type": "User"}, "state": "APPROVED", "submitted_at": "2026-11-02T10:00:00Z"}`), "hub.yaml": llmConfig},
			func(o *options) {
				o.namespaces, o.data, o.files = []string{"hub.llm_governance"}, []string{"hub.yaml"}, []string{"pr.json"}
			}, []string{"pr.json:1: pull request #7 changes .github/hub.yml, assisted by a language model (label llm-assisted), and has 1 approval(s) from a code owner who is a person other than the author (alice), 2 needed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := example(t, tc.example)
			for k, v := range tc.files {
				files[k] = v
			}
			rep, err := evaluate(t, files, func(o *options) {
				o.files = []string{".github/workflows"}
				tc.edit(o)
			})
			if err != nil {
				t.Fatal(err)
			}
			passed, failed, _ := rep.tests.counts()
			if failed != 0 || passed < 5 || rep.tests.coverage.Coverage != 100 {
				t.Errorf("example tests: %d passed, %d failed, coverage %v", passed, failed, rep.tests.coverage.Coverage)
			}
			got := texts(rep)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("messages\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func record(gate, verdict string, code int) string {
	return "{\n  \"schemaVersion\": 1,\n  \"gate\": \"" + gate + "\",\n  \"mode\": \"enforce\",\n  \"verdict\": \"" + verdict + "\",\n  \"exitCode\": " +
		string(rune('0'+code)) + ",\n  \"sha\": \"3f786850e387550fdab836ed7e6dc881de23001b\"\n}\n"
}

const llmConfig = "hub_config:\n  llm_governance:\n    governed: [.github/hub.yml, policy/]\n    owners: [alice, bob]\n"

// pullRequest is the change record the llm-governance example reads, as
// a workflow assembles it from the REST API.
func pullRequest(labels, review string) string {
	return `{"pull_request": {"number": 7, "user": {"login": "dave", "type": "User"}, "labels": ` + labels + `},
 "files": [{"filename": ".github/hub.yml", "status": "modified"}],
 "reviews": [` + review + `],
 "commits": [{"sha": "5b7c0e9d8a1f2c3b4d5e6f708192a3b4c5d6e7f8", "commit": {"message": "waive"}}]}
`
}
