package sigstore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"

	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// Sign an artifact with a key and verify the bundle with the public key.
func ExampleKeySigner() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, _ := sigstore.NewKeySigner(key)
	sig, err := signer.Sign(context.Background(), []byte("artifact"))
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := sigstore.NewKeyVerifier(key.Public())
	res, err := v.Verify(sig.Bundle, []byte("artifact"), nil)
	fmt.Println(res.Kind, res.Identity == sig.Identity, err)
	_, err = v.Verify(sig.Bundle, []byte("another artifact"), nil)
	fmt.Println(err != nil)
	// Output:
	// key true <nil>
	// true
}

// Sign keyless (OIDC token, Fulcio certificate, Rekor entry) against a
// private Sigstore, and verify offline against its trusted root and an
// expected identity.
func ExampleKeylessSigner() {
	s, _ := sigstoretest.New()
	defer s.Close()
	sig, err := s.Signer().Sign(context.Background(), []byte("artifact"))
	if err != nil {
		fmt.Println(err)
		return
	}
	tr, _ := s.TrustedRoot()
	v, _ := sigstore.NewKeylessVerifier(tr)
	res, err := v.Verify(sig.Bundle, []byte("artifact"), &sigstore.Identity{
		SubjectRegexp: `^https://github\.com/hubgates/fixture/\.github/workflows/[^/@]+@refs/heads/main$`,
		Issuer:        "https://token.actions.githubusercontent.com",
	})
	fmt.Println(res.Identity, err)
	// Output:
	// https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/heads/main <nil>
}
