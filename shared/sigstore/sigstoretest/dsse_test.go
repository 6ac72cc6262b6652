package sigstoretest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/hubgates/hub/shared/sigstore"
)

const releaseWorkflow = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0"

// statement is an in-toto statement about one artifact.
func statement(subject [32]byte) []byte {
	return []byte(`{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://example.com/p/v1","subject":[{"name":"app","digest":{"sha256":"` +
		hex.EncodeToString(subject[:]) + `"}}],"predicate":{}}`)
}

// verifyDSSE verifies a DSSE bundle for subject against s's root.
func verifyDSSE(t *testing.T, s *Sigstore, bundleJSON []byte, subject [32]byte) (*verify.VerificationResult, error) {
	t.Helper()
	b, err := sigstore.ParseBundle(bundleJSON)
	if err != nil {
		return nil, err
	}
	tr, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	sev, err := verify.NewSignedEntityVerifier(tr, verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1))
	if err != nil {
		t.Fatal(err)
	}
	id, err := verify.NewShortCertificateIdentity(ActionsIssuer, "", "", "^"+releaseWorkflow+"$")
	if err != nil {
		t.Fatal(err)
	}
	return sev.Verify(b, verify.NewPolicy(verify.WithArtifactDigest("sha256", subject[:]), verify.WithCertificateIdentity(id)))
}

// TestSignDSSE: the bundle verifies with sigstore-go against the
// instance's own root, with every GitHub claim of the run in its
// certificate; not against another instance's root, and not once its
// statement is edited. The other forms agree with the bundle.
func TestSignDSSE(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	subject := sha256.Sum256([]byte("app"))
	run := Run{Workflow: releaseWorkflow, Repository: "acme/app", Ref: "refs/tags/v1.0.0", Event: "release"}
	d, err := s.SignDSSE(run, "application/vnd.in-toto+json", statement(subject))
	if err != nil {
		t.Fatal(err)
	}
	res, err := verifyDSSE(t, s, d.Bundle, subject)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Signature.Certificate
	want := run.WithDefaults()
	if c.SourceRepositoryURI != "https://github.com/acme/app" || c.SourceRepositoryRef != run.Ref || c.SourceRepositoryDigest != want.SHA ||
		c.BuildSignerURI != releaseWorkflow || c.RunnerEnvironment != "github-hosted" || c.BuildTrigger != "release" ||
		c.BuildConfigURI != "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0" ||
		c.SourceRepositoryOwnerURI != "https://github.com/acme" || c.RunInvocationURI != want.InvocationURI() ||
		c.SourceRepositoryIdentifier != want.RepositoryID || c.GithubWorkflowRef != run.Ref {
		t.Errorf("certificate claims %+v", c)
	}
	if !bytes.Contains(d.Certificate, []byte("BEGIN CERTIFICATE")) || strings.Count(string(d.Chain), "BEGIN CERTIFICATE") != 2 {
		t.Errorf("certificate %q, chain %q", d.Certificate, d.Chain)
	}
	if d.Rekor == nil || d.Rekor.Payload.LogIndex != 1 || len(d.Rekor.SignedEntryTimestamp) == 0 {
		t.Errorf("Rekor bundle %+v", d.Rekor)
	}

	other, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := verifyDSSE(t, other, d.Bundle, subject); err == nil {
		t.Error("verified against another instance's root")
	}
	// The subject renamed, its digest kept: only the signature can tell.
	var b map[string]any
	if err := json.Unmarshal(d.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	env := b["dsseEnvelope"].(map[string]any)
	payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	if err != nil || !bytes.Contains(payload, []byte(`"name":"app"`)) {
		t.Fatalf("payload %q, %v", payload, err)
	}
	env["payload"] = base64.StdEncoding.EncodeToString(bytes.Replace(payload, []byte(`"name":"app"`), []byte(`"name":"evil"`), 1))
	edited, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifyDSSE(t, s, edited, subject); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Errorf("an edited statement: %v, want a signature failure", err)
	}
}

// Issue refuses a run it cannot name in a certificate.
func TestIssueRefusesBadRuns(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for what, r := range map[string]Run{
		"workflow without a ref": {Workflow: "https://github.com/acme/app/.github/workflows/release.yml", Repository: "acme/app"},
		"workflow not https":     {Workflow: "http://github.com/acme/app/.github/workflows/release.yml@refs/heads/main", Repository: "acme/app"},
		"repository not o/r":     {Workflow: releaseWorkflow, Repository: "app"},
	} {
		if _, err := s.Issue(key.Public(), r); err == nil {
			t.Errorf("%s: issued", what)
		}
	}
}
