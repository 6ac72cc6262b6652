package sigstoretest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	fulcioapi "github.com/sigstore/fulcio/pkg/api"
	"github.com/sigstore/sigstore/pkg/cryptoutils"

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

// cosign v2 asks for certificates through Fulcio's legacy API
// (/api/v1/signingCert, the PEM chain in the body): the virtual Fulcio
// answers it with Fulcio's own client, under the same checks, and its
// tokens are RS256 JWTs, which cosign takes for tokens rather than file
// names.
func TestLegacyFulcioAPI(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	tok, err := sigstore.ActionsToken{RequestURL: s.TokenURL(), RequestToken: RequestToken, Audience: "sigstore"}.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256}); err != nil {
		t.Errorf("the token is not an RS256 JWS: %v", err)
	}
	sub, err := sigstore.TokenSubject(tok)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(key.Public())
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	digest := sha256.Sum256([]byte(sub))
	proof, _ := ecdsa.SignASN1(rand.Reader, key, digest[:])
	u, _ := url.Parse(s.Fulcio.URL)
	client := fulcioapi.NewClient(u)

	resp, err := client.SigningCert(fulcioapi.CertificateRequest{PublicKey: fulcioapi.Key{Content: pemKey}, SignedEmailAddress: proof}, tok)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := cryptoutils.UnmarshalCertificatesFromPEM(resp.CertPEM)
	if err != nil || len(leaf) != 1 || leaf[0].URIs[0].String() != "https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/heads/main" {
		t.Fatalf("leaf %v, %v", leaf, err)
	}
	if chain, err := cryptoutils.UnmarshalCertificatesFromPEM(resp.ChainPEM); err != nil || len(chain) != 2 {
		t.Errorf("chain of %d, %v; want the intermediate and the root", len(chain), err)
	}
	// Refused: another key's proof, a token it never issued.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	badProof, _ := ecdsa.SignASN1(rand.Reader, other, digest[:])
	if _, err := client.SigningCert(fulcioapi.CertificateRequest{PublicKey: fulcioapi.Key{Content: pemKey}, SignedEmailAddress: badProof}, tok); err == nil || !strings.Contains(err.Error(), "proof of possession") {
		t.Errorf("bad proof: %v", err)
	}
	if _, err := client.SigningCert(fulcioapi.CertificateRequest{PublicKey: fulcioapi.Key{Content: pemKey}, SignedEmailAddress: proof}, tok+"x"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("unknown token: %v", err)
	}
}
