package sigverify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"testing"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/sigstore"
)

// TestCosignCLIKeyedBundle verifies a bundle made by the cosign CLI
// v2.6.4 (testdata/cosign-cli/make.sh: sign-blob --key
// --new-bundle-format), whose key hint is cosign's base64 spelling, with
// the file and with its digest; its tampered twins (another file, another
// key) are denied.
func TestCosignCLIKeyedBundle(t *testing.T) {
	bundle, err := os.ReadFile("testdata/cosign-cli/artifact.txt.sigstore.json")
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile("testdata/cosign-cli/cosign.pub")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := sigstore.LoadPublicKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigstore.NewKeyVerifier(pub)
	if err != nil {
		t.Fatal(err)
	}
	p := Policy{Verifier: v}
	d, _, err := digest.FromFile(digest.SHA256, "testdata/cosign-cli/artifact.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []Artifact{{Path: "testdata/cosign-cli/artifact.txt", Name: "artifact.txt"}, {Digest: d, Name: d.String()}} {
		if _, rule, probs, _, err := CheckBundle(bundle, a, p); rule != "" || err != nil {
			t.Errorf("%s: [%s] %v %v", a.Name, rule, probs, err)
		}
	}
	other := digest.FromBytes(digest.SHA256, []byte("another artifact"))
	if _, rule, _, _, _ := CheckBundle(bundle, Artifact{Digest: other, Name: "other"}, p); rule != RuleSignatureInvalid {
		t.Errorf("another artifact: rule %q, want %s", rule, RuleSignatureInvalid)
	}
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ov, err := sigstore.NewKeyVerifier(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	if _, rule, _, _, _ := CheckBundle(bundle, Artifact{Digest: d, Name: "artifact.txt"}, Policy{Verifier: ov}); rule != RuleSignerUntrusted {
		t.Errorf("another key: rule %q, want %s", rule, RuleSignerUntrusted)
	}
}
