package actions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// verify-provenance on a real GitHub artifact attestation (from
// slsa-verifier's test data), offline against the public-good trusted
// root, every other input at its default and no network; its twin claims
// another source. Without a trusted root the gate takes its slsa-verifier
// path, the image's second program: with no network that is undecided
// (exit 3), never a pass, and the message is the network's, not a
// missing program's.
func TestVerifyProvenanceContainer(t *testing.T) {
	requireDocker(t)
	ws := t.TempDir()
	for _, name := range []string{"MODULE.bazel", "MODULE.bazel.intoto.jsonl", "trusted_root_pgi.json"} {
		b, err := os.ReadFile(filepath.Join("verify-provenance", "provenance", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		writeTree(t, ws, map[string]string{name: string(b)})
	}
	inputs := map[string]string{
		"artifacts": "MODULE.bazel", "provenance": "MODULE.bazel.intoto.jsonl", "trusted-root": "trusted_root_pgi.json",
		"source-uri": "github.com/aspect-build/rules_lint", "builder-id": "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml",
		"source-branch": "publish-to-bcr",
	}
	r := runGateImage(t, "verify-provenance", ws, inputs, nil, "")
	r.wantExit(t, 0)
	r.wantOutputs(t, map[string]string{"verdict": "passed", "verified": "1", "verification-path": "offline", "source-ref": "refs/heads/publish-to-bcr"})
	r.wantSummaryHead(t, "## ✅ verify-provenance: passed")

	inputs["source-uri"] = "github.com/attacker/rules_lint"
	r = runGateImage(t, "verify-provenance", ws, inputs, nil, "")
	r.wantExit(t, 1)
	r.wantOutputs(t, map[string]string{"verdict": "denied"})

	inputs["source-uri"] = "github.com/aspect-build/rules_lint"
	delete(inputs, "trusted-root")
	r = runGateImage(t, "verify-provenance", ws, inputs, nil, "")
	r.wantExit(t, 3)
	r.wantOutputs(t, map[string]string{"verdict": "undecided"})
	if !strings.Contains(r.Stderr, "(slsa-verifier path)") || !strings.Contains(r.Stderr, "tuf refresh failed") {
		t.Errorf("the slsa-verifier program did not run and fail on the network:\n%s", r.Stderr)
	}
}
