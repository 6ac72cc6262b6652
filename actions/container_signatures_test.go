package actions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sign and verify-signature as a release job runs them: sign writes a
// bundle beside the artifact with a key, verify-signature checks it with
// the public key, every other input at its default and no network. The
// tampered twins: the artifact changed after signing, another key.
func TestSignAndVerifyContainers(t *testing.T) {
	requireDocker(t)
	priv, pub := keyPair(t)
	_, otherPub := keyPair(t)
	ws := t.TempDir()
	writeTree(t, ws, map[string]string{"dist/app.tar.gz": "release bytes\n", "dist/::error::PWNED.tar.gz": "odd name\n"})

	r := runGateImage(t, "sign", ws, map[string]string{"artifacts": "dist/*.tar.gz", "private-key": priv, "evidence-dir": "evidence"}, nil, "")
	r.wantExit(t, 0)
	r.wantSummaryHead(t, "## ✅ sign: passed")
	if b := r.Outputs["bundles"]; !strings.Contains(b, "dist/app.tar.gz.sigstore.json") || !strings.Contains(b, "dist/::error::PWNED.tar.gz.sigstore.json") {
		t.Errorf("bundles output %q", b)
	}
	if strings.Contains(r.Stdout+r.Stderr, "PRIVATE KEY-----\n") && !strings.Contains(r.Stdout, "::add-mask::-----BEGIN PRIVATE KEY-----") {
		t.Errorf("the key is printed beyond its masks")
	}
	for _, f := range []string{"dist/app.tar.gz.sigstore.json", "dist/::error::PWNED.tar.gz.sigstore.json"} {
		if _, err := os.Stat(filepath.Join(ws, f)); err != nil {
			t.Fatal(err)
		}
	}

	v := runGateImage(t, "verify-signature", ws, map[string]string{"artifacts": "dist/app.tar.gz", "public-key": pub}, nil, "")
	v.wantExit(t, 0)
	v.wantOutputs(t, map[string]string{"verdict": "passed", "verified": "true"})
	v.wantSummaryHead(t, "## ✅ verify-signature: passed")

	v = runGateImage(t, "verify-signature", ws, map[string]string{"artifacts": "dist/app.tar.gz", "public-key": otherPub}, nil, "")
	v.wantExit(t, 1)
	v.wantOutputs(t, map[string]string{"verdict": "denied", "verified": "false"})

	writeTree(t, ws, map[string]string{"dist/app.tar.gz": "release bytes, changed\n"})
	v = runGateImage(t, "verify-signature", ws, map[string]string{"artifacts": "dist/app.tar.gz", "public-key": pub}, nil, "")
	v.wantExit(t, 1)
	v.wantSummaryHead(t, "## ❌ verify-signature: denied")
}
