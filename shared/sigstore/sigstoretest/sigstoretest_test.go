package sigstoretest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/sigstore"
)

// The fakes refuse what the real services refuse, so a client bug cannot
// pass against them.
func TestServicesRefuseBadRequests(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &sigstore.Fulcio{BaseURL: s.Fulcio.URL, Retry: sigstore.Retry{Attempts: 1}}

	// A token this instance never issued.
	forged := "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln"
	if _, err := ca.Certificate(ctx, key, forged); !errors.Is(err, sigstore.ErrService) || !strings.Contains(err.Error(), "401") {
		t.Errorf("forged token: %v", err)
	}
	// A token for another audience.
	tok, err := sigstore.ActionsToken{RequestURL: s.TokenURL(), RequestToken: RequestToken, Audience: "other"}.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ca.Certificate(ctx, key, tok); err == nil || !strings.Contains(err.Error(), "audience") {
		t.Errorf("other audience: %v", err)
	}
	// A wrong request token.
	if _, err := (sigstore.ActionsToken{RequestURL: s.TokenURL(), RequestToken: "wrong", Retry: sigstore.Retry{Attempts: 1}}).Token(ctx); err == nil {
		t.Error("a wrong request token got a token")
	}
	// A proof of possession by another key.
	tok, err = sigstore.ActionsToken{RequestURL: s.TokenURL(), RequestToken: RequestToken, Audience: "sigstore"}.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := ca.Certificate(ctx, key, tok)
	if err != nil || len(chain) != 3 {
		t.Fatalf("certificate: %d certs, %v", len(chain), err)
	}
	if got := chain[0].URIs[0].String(); got != "https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/heads/main" {
		t.Errorf("SAN %q", got)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if _, err := ca.Certificate(ctx, liar{key, other}, tok); err == nil || !strings.Contains(err.Error(), "proof of possession") {
		t.Errorf("bad proof: %v", err)
	}
	// A log entry whose signature does not match its certificate.
	log := &sigstore.Rekor{BaseURL: s.Rekor.URL, Retry: sigstore.Retry{Attempts: 1}}
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: chain[0].Raw})
	_, err = log.Upload(ctx, sigstore.HashedRekord{Digest: make([]byte, 32), Signature: []byte("not a signature"), Certificate: pemCert})
	if err == nil {
		t.Error("Rekor logged a signature that does not verify")
	}
}

// liar signs with one key and claims another's public key.
type liar struct{ signer, public *ecdsa.PrivateKey }

func (l liar) Public() crypto.PublicKey { return l.public.Public() }

func (l liar) Sign(r io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	return ecdsa.SignASN1(r, l.signer, digest)
}
