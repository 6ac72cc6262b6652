package sigstore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/sigstore"
)

// statementAbout is an in-toto statement whose one subject has the given
// SHA-256.
func statementAbout(sum [32]byte) []byte {
	return []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"` +
		hex.EncodeToString(sum[:]) + `"}}],"predicateType":"https://example.com/p/v1","predicate":{}}`)
}

// A keyless DSSE envelope verifies for its statement's subject and the
// identity that signed it; another subject, another identity or a payload
// edited after signing do not.
func TestKeylessDSSERoundTrip(t *testing.T) {
	s, v := newSigstore(t)
	subject := sha256.Sum256([]byte("image manifest"))
	sig, err := s.Signer().SignDSSE(context.Background(), sigstore.InTotoPayloadType, statementAbout(subject))
	if err != nil {
		t.Fatal(err)
	}
	if sig.Kind != "keyless" || sig.LogIndex < 1 || !strings.Contains(sig.Identity, "hubgates/fixture") {
		t.Fatalf("signature %+v", sig)
	}
	b, err := sigstore.ParseBundle(sig.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	d := sigstore.Digest{Algorithm: "sha256", Value: subject[:]}
	if _, err := v.VerifyDigest(b, d, trusted); err != nil {
		t.Fatalf("verifying: %v", err)
	}
	other := sha256.Sum256([]byte("another image"))
	if _, err := v.VerifyDigest(b, sigstore.Digest{Algorithm: "sha256", Value: other[:]}, trusted); !errors.Is(err, sigstore.ErrSignatureInvalid) {
		t.Errorf("another subject: %v, want ErrSignatureInvalid", err)
	}
	elsewhere := &sigstore.Identity{SubjectRegexp: `^https://github\.com/someone/else/`, Issuer: trusted.Issuer}
	if _, err := v.VerifyDigest(b, d, elsewhere); !errors.Is(err, sigstore.ErrUntrustedSigner) {
		t.Errorf("another identity: %v, want ErrUntrustedSigner", err)
	}
	// The payload is base64 in the bundle: flip one character of it.
	if tb, err := sigstore.ParseBundle([]byte(tamperPayload(t, sig.Bundle))); err == nil {
		if _, err := v.VerifyDigest(tb, d, trusted); err == nil {
			t.Error("an edited payload verified")
		}
	}
}

// A keyed DSSE envelope verifies with the key that made it, not another.
func TestKeyDSSERoundTrip(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ks, err := sigstore.NewKeySigner(key)
	if err != nil {
		t.Fatal(err)
	}
	subject := sha256.Sum256([]byte("release.tar.gz"))
	sig, err := ks.SignDSSE(context.Background(), sigstore.InTotoPayloadType, statementAbout(subject))
	if err != nil {
		t.Fatal(err)
	}
	b, err := sigstore.ParseBundle(sig.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	d := sigstore.Digest{Algorithm: "sha256", Value: subject[:]}
	v, err := sigstore.NewKeyVerifier(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifyDigest(b, d, nil); err != nil {
		t.Fatalf("verifying: %v", err)
	}
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ov, err := sigstore.NewKeyVerifier(&otherKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ov.VerifyDigest(b, d, nil); err == nil {
		t.Error("verified with another key")
	}
}

// tamperPayload flips one character of the bundle's base64 payload.
func tamperPayload(t *testing.T, bundle []byte) string {
	t.Helper()
	s := string(bundle)
	i := strings.Index(s, `"payload": "`)
	if i < 0 {
		t.Fatalf("no payload in %s", s)
	}
	i += len(`"payload": "`) + 10
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}
