package sigverify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// fileArtifact is the file at path, read through a root at its folder.
func fileArtifact(t *testing.T, path string) Artifact {
	t.Helper()
	r, err := fsroot.Open(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return Artifact{Root: r, Path: filepath.Base(path), Name: filepath.Base(path)}
}

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
	for _, a := range []Artifact{fileArtifact(t, "testdata/cosign-cli/artifact.txt"), {Digest: d, Name: d.String()}} {
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

// TestCosignCLIKeylessBundle verifies a keyless bundle made by the cosign
// CLI v2.6.4 against the virtual Sigstore (testdata/cosign-cli/make.sh:
// sign-blob --new-bundle-format with Fulcio's certificate and a Rekor
// entry), with the file and with its digest, against the trusted root it
// was made under; its tampered twins (another file, another identity or
// issuer, another Sigstore's root, the log entry's body edited) are
// denied.
func TestCosignCLIKeylessBundle(t *testing.T) {
	const dir = "testdata/cosign-cli/keyless"
	bundle, err := os.ReadFile(dir + "/artifact.txt.sigstore.json")
	if err != nil {
		t.Fatal(err)
	}
	trJSON, err := os.ReadFile("testdata/cosign-cli/trusted_root.json")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := sigstore.ParseTrustedRoot(trJSON)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigstore.NewKeylessVerifier(tr)
	if err != nil {
		t.Fatal(err)
	}
	const (
		san    = "https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/heads/main"
		issuer = "https://token.actions.githubusercontent.com"
	)
	p := Policy{Verifier: v, Identity: &sigstore.Identity{SubjectRegexp: "^" + regexp.QuoteMeta(san) + "$", Issuer: issuer}}
	d, _, err := digest.FromFile(digest.SHA256, dir+"/artifact.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []Artifact{fileArtifact(t, dir+"/artifact.txt"), {Digest: d, Name: d.String()}} {
		res, rule, probs, _, err := CheckBundle(bundle, a, p)
		if rule != "" || err != nil {
			t.Fatalf("%s: [%s] %v %v", a.Name, rule, probs, err)
		}
		if res.Identity != san || res.Issuer != issuer || res.LogIndex < 1 || res.Timestamps != 1 {
			t.Errorf("%s: %+v", a.Name, res)
		}
	}

	other := digest.FromBytes(digest.SHA256, []byte("another artifact"))
	if _, rule, _, _, _ := CheckBundle(bundle, Artifact{Digest: other, Name: "other"}, p); rule != RuleSignatureInvalid {
		t.Errorf("another artifact: rule %q, want %s", rule, RuleSignatureInvalid)
	}
	for what, id := range map[string]*sigstore.Identity{
		"another workflow": {SubjectRegexp: "^https://github\\.com/hubgates/fixture/\\.github/workflows/release\\.yml@refs/heads/main$", Issuer: issuer},
		"another issuer":   {SubjectRegexp: p.Identity.SubjectRegexp, Issuer: "https://accounts.google.com"},
	} {
		if _, rule, _, _, _ := CheckBundle(bundle, Artifact{Digest: d, Name: "artifact.txt"}, Policy{Verifier: v, Identity: id}); rule != RuleSignerUntrusted {
			t.Errorf("%s: rule %q, want %s", what, rule, RuleSignerUntrusted)
		}
	}
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	otherRoot, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	ov, err := sigstore.NewKeylessVerifier(otherRoot)
	if err != nil {
		t.Fatal(err)
	}
	if _, rule, _, _, _ := CheckBundle(bundle, Artifact{Digest: d, Name: "artifact.txt"}, Policy{Verifier: ov, Identity: p.Identity}); rule != RuleSignatureInvalid {
		t.Errorf("another Sigstore's root: rule %q, want %s", rule, RuleSignatureInvalid)
	}
	// The log entry's body edited to record another digest: Rekor's
	// hashedrekord type, which checks the recorded signature over the
	// recorded digest, refuses it as the bundle is read.
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	entry := b["verificationMaterial"].(map[string]any)["tlogEntries"].([]any)[0].(map[string]any)
	body, err := base64.StdEncoding.DecodeString(entry["canonicalizedBody"].(string))
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(body), d.Hex, other.Hex, 1)
	if edited == string(body) {
		t.Fatal("the log entry's body does not name the artifact's digest")
	}
	entry["canonicalizedBody"] = base64.StdEncoding.EncodeToString([]byte(edited))
	forged, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, rule, probs, _, _ := CheckBundle(forged, Artifact{Digest: d, Name: "artifact.txt"}, p); rule != RuleSignatureInvalid || !strings.Contains(strings.Join(probs, " "), "entry body") {
		t.Errorf("the entry's digest edited: [%s] %v", rule, probs)
	}
}
