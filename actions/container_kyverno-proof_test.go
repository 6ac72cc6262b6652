package actions

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The kyverno-proof gate's image as the runner runs it, every input at its
// action.yml default but the ones a workflow sets, with no network: the
// engine shipped beside /gate answers the probes against its in-process
// registry. The shipped policies hold every probe; the trio alone admits
// the privileged pod; a policy name that is a workflow command stays text.
func TestKyvernoProofContainer(t *testing.T) {
	requireDocker(t)
	repo := map[string]string{}
	for _, n := range []string{"digest-allowlist", "provenance", "sbom", "pod-security"} {
		b, err := os.ReadFile(filepath.Join("kyverno-proof", "examples", n+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		repo["k8s/"+n+".yaml"] = string(b)
	}
	inputs := map[string]string{"policies": "k8s", "image": "ghcr.io/hubgates/app", "evidence-dir": "evidence"}
	for _, tc := range []struct {
		name    string
		edit    map[string]string
		drop    string
		exit    int
		outputs map[string]string
	}{
		{"holds", nil, "", 0, map[string]string{"verdict": "passed", "probes-held": "8", "probes-broken": "0", "policies": "4", "kyverno-version": "v1.19.1"}},
		{"trio-only", nil, "k8s/pod-security.yaml", 1, map[string]string{"verdict": "denied", "probes-held": "6", "probes-broken": "2"}},
		{"hostile-name", map[string]string{"k8s/pod-security.yaml": strings.Replace(repo["k8s/pod-security.yaml"], "name: pod-security", "name: \"pod-security\\n::error::PWNED\"", 1)}, "", 0,
			map[string]string{"verdict": "passed", "probes-held": "8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			writeTree(t, ws, repo)
			writeTree(t, ws, tc.edit)
			if tc.drop != "" {
				if err := os.Remove(filepath.Join(ws, tc.drop)); err != nil {
					t.Fatal(err)
				}
			}
			r := runGateImage(t, "kyverno-proof", ws, inputs, nil, "")
			r.wantExit(t, tc.exit)
			r.wantOutputs(t, tc.outputs)
			r.wantSummaryHead(t, map[int]string{0: "## ✅ kyverno-proof: passed", 1: "## ❌ kyverno-proof: denied"}[tc.exit])
			matches, _ := filepath.Glob(filepath.Join(ws, "evidence", "kyverno-proof-*.json"))
			if len(matches) != 1 {
				t.Fatalf("evidence files: %v", matches)
			}
			b, err := os.ReadFile(matches[0])
			if err != nil {
				t.Fatal(err)
			}
			var rec struct {
				Facts struct {
					Probes []struct{ Name, MustBe, Verdict string }
				}
			}
			if err := json.Unmarshal(b, &rec); err != nil {
				t.Fatal(err)
			}
			if len(rec.Facts.Probes) != 8 {
				t.Errorf("evidence holds %d probe verdicts, want 8", len(rec.Facts.Probes))
			}
			if tc.name == "hostile-name" && !strings.Contains(string(r.Summary), "PWNED") {
				t.Errorf("the policy name is not in the summary at all:\n%s", r.Summary)
			}
		})
	}
}
