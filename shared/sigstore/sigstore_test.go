package sigstore_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"

	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

const workflow = "hubgates/fixture/.github/workflows/ci.yml@refs/heads/main"

var trusted = &sigstore.Identity{
	SubjectRegexp: `^https://github\.com/hubgates/fixture/\.github/workflows/[^/@]+@refs/heads/main$`,
	Issuer:        sigstoretest.ActionsIssuer,
}

func newSigstore(t *testing.T) (*sigstoretest.Sigstore, *sigstore.Verifier) {
	t.Helper()
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	js, err := s.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	// Through JSON and back, as a trusted_root.json file travels.
	tr, err := sigstore.ParseTrustedRoot(js)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigstore.NewKeylessVerifier(tr)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

func TestKeylessRoundTrip(t *testing.T) {
	s, v := newSigstore(t)
	artifact := []byte("manifest bytes\n")
	sig, err := s.Signer().Sign(context.Background(), artifact)
	if err != nil {
		t.Fatal(err)
	}
	if sig.Kind != "keyless" || sig.Identity != "https://github.com/"+workflow || sig.Issuer != sigstoretest.ActionsIssuer || sig.LogIndex != 1 {
		t.Errorf("signature %+v", sig)
	}
	var b struct {
		MediaType string `json:"mediaType"`
	}
	if err := json.Unmarshal(sig.Bundle, &b); err != nil || b.MediaType != sigstore.BundleMediaType {
		t.Errorf("bundle media type %q, %v", b.MediaType, err)
	}
	res, err := v.Verify(sig.Bundle, artifact, trusted)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != "keyless" || res.Identity != sig.Identity || res.Issuer != sigstoretest.ActionsIssuer || res.SignedAt.IsZero() || res.LogIndex != 1 {
		t.Errorf("result %+v", res)
	}

	t.Run("other bytes", func(t *testing.T) {
		_, err := v.Verify(sig.Bundle, []byte("manifest bytes, edited\n"), trusted)
		if !errors.Is(err, sigstore.ErrSignatureInvalid) {
			t.Errorf("got %v, want ErrSignatureInvalid", err)
		}
	})
	t.Run("fork workflow", func(t *testing.T) {
		s.SetWorkflow("attacker/fixture/.github/workflows/ci.yml@refs/heads/main")
		forked, err := s.Signer().Sign(context.Background(), artifact)
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(forked.Bundle, artifact, trusted)
		if !errors.Is(err, sigstore.ErrUntrustedSigner) || !strings.Contains(err.Error(), `got "https://github.com/attacker/fixture/`) {
			t.Errorf("got %v, want ErrUntrustedSigner naming the fork", err)
		}
	})
	t.Run("other issuer", func(t *testing.T) {
		_, err := v.Verify(sig.Bundle, artifact, &sigstore.Identity{SubjectRegexp: trusted.SubjectRegexp, Issuer: "https://accounts.google.com"})
		if !errors.Is(err, sigstore.ErrUntrustedSigner) {
			t.Errorf("got %v, want ErrUntrustedSigner", err)
		}
	})
	t.Run("other trusted root", func(t *testing.T) {
		_, other := newSigstore(t)
		_, err := other.Verify(sig.Bundle, artifact, trusted)
		if !errors.Is(err, sigstore.ErrSignatureInvalid) {
			t.Errorf("got %v, want ErrSignatureInvalid", err)
		}
	})
	t.Run("malformed bundle", func(t *testing.T) {
		_, err := v.Verify(sig.Bundle[:len(sig.Bundle)/2], artifact, trusted)
		if !errors.Is(err, sigstore.ErrMalformedBundle) {
			t.Errorf("got %v, want ErrMalformedBundle", err)
		}
	})
	t.Run("keyed verifier", func(t *testing.T) {
		kv, err := sigstore.NewKeyVerifier(newKey(t).Public())
		if err != nil {
			t.Fatal(err)
		}
		_, err = kv.Verify(sig.Bundle, artifact, nil)
		if !errors.Is(err, sigstore.ErrUntrustedSigner) {
			t.Errorf("got %v, want ErrUntrustedSigner", err)
		}
	})
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCosignKeyRoundTrip(t *testing.T) {
	pass := []byte("correct horse")
	kb, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return pass, nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sigstore.LoadPrivateKey(kb.PrivateBytes, []byte("wrong")); !errors.Is(err, sigstore.ErrBadKey) {
		t.Errorf("wrong password: got %v, want ErrBadKey", err)
	}
	key, err := sigstore.LoadPrivateKey(kb.PrivateBytes, pass)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := sigstore.NewKeySigner(key)
	if err != nil {
		t.Fatal(err)
	}
	artifact := []byte("manifest bytes\n")
	sig, err := signer.Sign(context.Background(), artifact)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := sigstore.LoadPublicKey(kb.PublicBytes)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := sigstore.KeyID(pub)
	if sig.Kind != "key" || sig.Identity != id || sig.LogIndex != -1 {
		t.Errorf("signature %+v", sig)
	}
	v, err := sigstore.NewKeyVerifier(pub)
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(sig.Bundle, artifact, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != "key" || res.Identity != id {
		t.Errorf("result %+v", res)
	}
	if _, err := v.Verify(sig.Bundle, []byte("edited"), nil); !errors.Is(err, sigstore.ErrSignatureInvalid) {
		t.Errorf("edited artifact: got %v, want ErrSignatureInvalid", err)
	}
	other, err := sigstore.NewKeyVerifier(newKey(t).Public())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Verify(sig.Bundle, artifact, nil); !errors.Is(err, sigstore.ErrUntrustedSigner) {
		t.Errorf("other key: got %v, want ErrUntrustedSigner", err)
	}
	_, kv := newSigstore(t)
	if _, err := kv.Verify(sig.Bundle, artifact, trusted); !errors.Is(err, sigstore.ErrUntrustedSigner) {
		t.Errorf("keyless verifier: got %v, want ErrUntrustedSigner", err)
	}
}

func TestLoadPrivateKeyForms(t *testing.T) {
	k := newKey(t)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k)
	sec1, _ := x509.MarshalECPrivateKey(k)
	for name, p := range map[string][]byte{
		"pkcs8": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
		"sec1":  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}),
	} {
		got, err := sigstore.LoadPrivateKey(p, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !got.Public().(*ecdsa.PublicKey).Equal(k.Public()) {
			t.Errorf("%s: another key", name)
		}
	}
	for _, ref := range []string{"awskms://alias/cache", "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k", "hashivault://cache", "k8s://ns/secret", "pkcs11:token=x"} {
		if _, err := sigstore.LoadPrivateKey([]byte(ref), nil); !errors.Is(err, sigstore.ErrKMSUnsupported) {
			t.Errorf("%s: got %v, want ErrKMSUnsupported", ref, err)
		}
	}
	for name, p := range map[string][]byte{
		"not pem":   []byte("hello"),
		"cert type": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}),
		"two keys":  append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})...),
	} {
		if _, err := sigstore.LoadPrivateKey(p, nil); !errors.Is(err, sigstore.ErrBadKey) {
			t.Errorf("%s: got %v, want ErrBadKey", name, err)
		}
	}
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(p224)
	if _, err := sigstore.LoadPrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil); !errors.Is(err, sigstore.ErrUnsupportedKey) {
		t.Errorf("P-224: got %v, want ErrUnsupportedKey", err)
	}
}

func TestP384KeySignsWithSHA384(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigstore.NewKeySigner(k)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := s.Sign(context.Background(), []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sig.Bundle), `"SHA2_384"`) {
		t.Errorf("bundle does not name SHA2_384:\n%s", sig.Bundle)
	}
	v, _ := sigstore.NewKeyVerifier(k.Public())
	if _, err := v.Verify(sig.Bundle, []byte("x"), nil); err != nil {
		t.Error(err)
	}
}

// noCT hides the virtual Sigstore's CT logs: its certificates carry no
// signed certificate timestamps, which a root listing CT logs requires.
type noCT struct{ *ca.VirtualSigstore }

func (noCT) CTLogs() map[string]*root.TransparencyLog { return nil }

func TestVirtualSigstoreEntities(t *testing.T) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	artifact := []byte("manifest bytes\n")
	entity, err := vs.Sign("https://github.com/"+workflow, sigstoretest.ActionsIssuer, artifact)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigstore.NewKeylessVerifier(noCT{vs})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.VerifyEntity(entity, bytes.NewReader(artifact), trusted)
	if err != nil {
		t.Fatal(err)
	}
	if res.Identity != "https://github.com/"+workflow {
		t.Errorf("identity %q", res.Identity)
	}
	strict, err := sigstore.NewKeylessVerifier(vs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := strict.VerifyEntity(entity, bytes.NewReader(artifact), trusted); !errors.Is(err, sigstore.ErrSignatureInvalid) {
		t.Errorf("without an SCT under a root with CT logs: got %v, want ErrSignatureInvalid", err)
	}
}

func TestActionsTokenNeedsTheRunnersVariables(t *testing.T) {
	_, err := sigstore.ActionsToken{}.Token(context.Background())
	if !errors.Is(err, sigstore.ErrNoActionsToken) || !strings.Contains(err.Error(), "id-token: write") {
		t.Errorf("got %v", err)
	}
}

func TestRetriesOnlyTransientFailures(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n := calls.Add(1); {
		case r.URL.Query().Get("audience") == "teapot":
			w.WriteHeader(http.StatusTeapot)
		case n < 3:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			_, _ = w.Write([]byte(`{"value":"a.b.c"}`))
		}
	}))
	defer srv.Close()
	src := sigstore.ActionsToken{RequestURL: srv.URL + "?x=1", RequestToken: "t", Audience: "sigstore", Retry: sigstore.Retry{Attempts: 3, Base: time.Millisecond}}
	tok, err := src.Token(context.Background())
	if err != nil || tok != "a.b.c" || calls.Load() != 3 {
		t.Errorf("token %q, %v after %d calls", tok, err, calls.Load())
	}
	calls.Store(0)
	src.Audience = "teapot"
	if _, err := src.Token(context.Background()); !errors.Is(err, sigstore.ErrService) || calls.Load() != 1 {
		t.Errorf("418: %v after %d calls, want ErrService after 1", err, calls.Load())
	}
	calls.Store(-100)
	src.Audience = "sigstore"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	src.Retry = sigstore.Retry{Attempts: 50, Base: time.Second}
	if _, err := src.Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: got %v", err)
	}
}
