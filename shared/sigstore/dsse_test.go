package sigstore_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"

	"github.com/hubgates/hub/shared/sigstore"
)

// A DSSE statement signed with a key verifies with that key for its
// subject, and is refused for another subject, another key, or a payload
// changed after signing.
func TestKeyDSSERoundTrip(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
		t.Run(curve.Params().Name, func(t *testing.T) {
			key, err := ecdsa.GenerateKey(curve, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			s, err := sigstore.NewKeySigner(key)
			if err != nil {
				t.Fatal(err)
			}
			subject := sha256.Sum256([]byte("stream head"))
			payload := []byte(fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"s","digest":{"sha256":"%x"}}],"predicateType":"x","predicate":{"n":1}}`, subject))
			sig, err := s.SignDSSE(context.Background(), sigstore.InTotoPayloadType, payload)
			if err != nil {
				t.Fatal(err)
			}
			v, err := sigstore.NewKeyVerifier(key.Public())
			if err != nil {
				t.Fatal(err)
			}
			check := func(bundle []byte, d [32]byte, v *sigstore.Verifier) error {
				b, err := sigstore.ParseBundle(bundle)
				if err != nil {
					return err
				}
				_, err = v.VerifyDigest(b, sigstore.Digest{Algorithm: "sha256", Value: d[:]}, nil)
				return err
			}
			if err := check(sig.Bundle, subject, v); err != nil {
				t.Fatalf("own signature: %v", err)
			}
			if err := check(sig.Bundle, sha256.Sum256([]byte("other")), v); !errors.Is(err, sigstore.ErrSignatureInvalid) {
				t.Errorf("another subject: %v", err)
			}
			other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			ov, _ := sigstore.NewKeyVerifier(other.Public())
			if err := check(sig.Bundle, subject, ov); err == nil {
				t.Error("another key verified it")
			}
			// "n":1 -> "n":2 inside the base64 payload: re-encode by hand.
			forged := bytes.Replace(sig.Bundle, []byte(b64(payload)), []byte(b64(bytes.Replace(payload, []byte(`"n":1`), []byte(`"n":2`), 1))), 1)
			if bytes.Equal(forged, sig.Bundle) {
				t.Fatal("payload not found in the bundle")
			}
			if err := check(forged, subject, v); err == nil {
				t.Error("a changed payload verified")
			}
		})
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
