package actions

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/actions/evidence/evidencegate"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/sigstore"
)

// The evidence gate's image as a release job runs it, with a key and no
// network: records of passing gates are signed into one statement that
// verifies with the public key; the tampered twin, a failed gate, is
// denied and nothing is signed.
func TestEvidenceContainer(t *testing.T) {
	requireDocker(t)
	priv, pub := keyPair(t)
	ws := t.TempDir()
	writeTree(t, ws, map[string]string{"dist/app.tar.gz": "release bytes\n"})
	writeRecord := func(gate, verdict string) {
		now := time.Now()
		b, err := evidence.Marshal(evidence.Record{SchemaVersion: 1, Gate: gate, Version: "dev", Mode: "enforce", Verdict: verdict,
			Inputs: map[string]string{}, Repository: "hubgates/fixture", SHA: strings.Repeat("b", 40), Started: now.Add(-time.Second), Finished: now})
		if err != nil {
			t.Fatal(err)
		}
		writeTree(t, ws, map[string]string{"evidence/" + gate + ".json": string(b)})
	}
	writeRecord("sign", "passed")
	writeRecord("workflow-audit", "passed")
	inputs := map[string]string{"records": "evidence", "required-gates": "sign,workflow-audit", "artifacts": "dist/app.tar.gz", "private-key": priv}

	r := runGateImage(t, "evidence", ws, inputs, nil, "")
	r.wantExit(t, 0)
	r.wantOutputs(t, map[string]string{"verdict": "passed", "gates": "2", "bundle-file": "hub-evidence.sigstore.json"})
	r.wantSummaryHead(t, "## ✅ evidence: passed")
	bundle, err := os.ReadFile(filepath.Join(ws, "hub-evidence.sigstore.json"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := sigstore.LoadPublicKey([]byte(pub))
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigstore.NewKeyVerifier(key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("release bytes\n"))
	got, err := evidencegate.VerifyBundle(v, bundle, sigstore.Digest{Algorithm: "sha256", Value: sum[:]}, nil)
	if err != nil {
		t.Fatalf("the bundle the image wrote does not verify: %v", err)
	}
	if n := len(got.Statement.Predicate.Gates); n != 2 || got.Statement.Predicate.Run.SHA != strings.Repeat("b", 40) {
		t.Errorf("statement: %+v", got.Statement.Predicate)
	}

	if err := os.Remove(filepath.Join(ws, "hub-evidence.sigstore.json")); err != nil {
		t.Fatal(err)
	}
	writeRecord("workflow-audit", "denied")
	d := runGateImage(t, "evidence", ws, inputs, nil, "")
	d.wantExit(t, 1)
	d.wantOutputs(t, map[string]string{"verdict": "denied"})
	if _, err := os.Stat(filepath.Join(ws, "hub-evidence.sigstore.json")); err == nil {
		t.Error("a denied run wrote a bundle")
	}
}

// promote and dr-drill's images: with no network, a registry that cannot
// be reached leaves promotion and the recall drill undecided (exit 3),
// never passed; a promotion without a drill source is bad input (exit 2).
func TestPromoteAndDrillContainersWithoutNetwork(t *testing.T) {
	requireDocker(t)
	ws := t.TempDir()
	base := map[string]string{
		"image": "registry.invalid/acme/app:v1", "target": "registry.invalid/acme/prod/app",
		"signature-identity": "^https://github\\.com/acme/", "source-uri": "github.com/acme/app",
		"builder-id": "https://github.com/acme/app/.github/workflows/release.yml", "evidence-identity": "^https://github\\.com/acme/",
		"drill-identity": "^https://github\\.com/acme/", "timeout": "20s",
	}
	r := runGateImage(t, "promote", ws, base, nil, "")
	r.wantExit(t, 2)
	base["drill-image"] = "registry.invalid/acme/drills:latest"
	r = runGateImage(t, "promote", ws, base, nil, "")
	r.wantExit(t, 3)
	r.wantOutputs(t, map[string]string{"verdict": "undecided"})

	d := runGateImage(t, "dr-drill", ws, map[string]string{"operation": "freshness", "drill-image": "registry.invalid/acme/drills:latest",
		"drill-identity": "^https://github\\.com/acme/", "timeout": "20s"}, nil, "")
	d.wantExit(t, 3)
	d.wantOutputs(t, map[string]string{"verdict": "undecided"})
}
