package provenancetest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"

	"github.com/hubgates/hub/actions/verify-provenance/provenance/provenancetest"
	"github.com/hubgates/hub/shared/sigstore"
)

const workflow = "https://github.com/acme/app/.github/workflows/release.yml"

func attest(t *testing.T, s *provenancetest.Sigstore, subject [32]byte) *provenancetest.Attestation {
	t.Helper()
	a, err := s.Attest(provenancetest.Run{Workflow: workflow + "@refs/tags/v1.0.0", Repository: "acme/app", Ref: "refs/tags/v1.0.0"},
		provenancetest.GitHubAttestationStatement(provenancetest.Build{BuilderID: workflow + "@refs/tags/v1.0.0", Repository: "acme/app",
			Ref: "refs/tags/v1.0.0", Subjects: []provenancetest.Subject{{Name: "app", SHA256: hex.EncodeToString(subject[:])}}}))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestAttest: the statement is signed as an in-toto DSSE payload, as is,
// and its predicate type recorded; what is not a statement is refused.
// (That the bundle verifies, with every claim of the run, and only
// against the instance's root, package sigstoretest tests; the provenance
// package verifies what Attest signs through the gate.)
func TestAttest(t *testing.T) {
	s := newSigstore(t)
	subject := sha256.Sum256([]byte("app"))
	a := attest(t, s, subject)
	b, err := sigstore.ParseBundle(a.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	env, err := b.Envelope()
	if err != nil {
		t.Fatal(err)
	}
	st, err := env.Statement()
	if err != nil || env.RawEnvelope().PayloadType != provenancetest.InTotoPayloadType || st.GetPredicateType() != a.PredicateType ||
		a.PredicateType != "https://slsa.dev/provenance/v1" || st.GetSubject()[0].GetDigest()["sha256"] != hex.EncodeToString(subject[:]) {
		t.Errorf("predicate type %q, envelope %+v, statement %v, %v", a.PredicateType, env.RawEnvelope(), st, err)
	}
	if _, err := s.Attest(provenancetest.Run{Workflow: workflow + "@refs/tags/v1.0.0", Repository: "acme/app"}, []byte("not a statement")); err == nil {
		t.Error("signed what is not a statement")
	}
}

func newSigstore(t *testing.T) *provenancetest.Sigstore {
	t.Helper()
	s, err := provenancetest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestAttachCosignReadsBack: what AttachCosign writes, cosign's own reader
// finds at the image's sha256-<hex>.att tag, with the certificate and the
// Rekor bundle in the annotations.
func TestAttachCosignReadsBack(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	repo, err := name.NewRepository(strings.TrimPrefix(srv.URL, "http://") + "/acme/app")
	if err != nil {
		t.Fatal(err)
	}
	img, err := provenancetest.PushLayout(context.Background(), "../testdata/generic-container", repo, "v1", false)
	if err != nil {
		t.Fatal(err)
	}
	if img.DigestStr() != "sha256:234e2c830c2fb31ac5671789d22adfe44d30c3ee831d01beae5e237841a13122" {
		t.Fatalf("PushLayout changed the image's digest: %s", img)
	}
	if d, err := remote.Head(repo.Tag("v1")); err != nil || d.Digest.String() != img.DigestStr() {
		t.Fatalf("tag v1: %v, %v", d, err)
	}
	s := newSigstore(t)
	a := attest(t, s, sha256.Sum256([]byte("app")))
	if err := provenancetest.AttachCosign(context.Background(), img, []*provenancetest.Attestation{a}); err != nil {
		t.Fatal(err)
	}
	tag, err := ociremote.AttestationTag(img)
	if err != nil {
		t.Fatal(err)
	}
	sigs, err := ociremote.Signatures(tag)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := sigs.Get()
	if err != nil {
		t.Fatal(err)
	}
	// The recorded attestation and the new one.
	if len(layers) != 2 {
		t.Fatalf("%d layers at %s, want 2", len(layers), tag)
	}
	cert, err := layers[1].Cert()
	if err != nil || cert == nil {
		t.Fatalf("certificate: %v, %v", cert, err)
	}
	rb, err := layers[1].Bundle()
	if err != nil || rb == nil || rb.Payload.LogIndex != a.Rekor.Payload.LogIndex {
		t.Fatalf("Rekor bundle: %+v, %v", rb, err)
	}
}
