package sigstore_test

import (
	"context"
	"crypto/elliptic"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

func TestKMSSignerSignsWithVault(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
		t.Run(curve.Params().Name, func(t *testing.T) {
			vault, err := sigstoretest.NewVault("release", curve)
			if err != nil {
				t.Fatal(err)
			}
			defer vault.Close()
			s, err := sigstore.NewKMSSigner("hashivault://release", sigstore.KMSAuth{Address: vault.URL, Token: vault.Token})
			if err != nil {
				t.Fatal(err)
			}
			artifact := []byte("release artifact")
			sig, err := s.Sign(context.Background(), artifact)
			if err != nil {
				t.Fatal(err)
			}
			if vault.Signed.Load() != 1 {
				t.Fatalf("the transit engine made %d signatures, want 1", vault.Signed.Load())
			}
			pemKey, err := vault.PublicKeyPEM()
			if err != nil {
				t.Fatal(err)
			}
			pub, err := sigstore.LoadPublicKey(pemKey)
			if err != nil {
				t.Fatal(err)
			}
			v, err := sigstore.NewKeyVerifier(pub)
			if err != nil {
				t.Fatal(err)
			}
			res, err := v.Verify(sig.Bundle, artifact, nil)
			if err != nil {
				t.Fatalf("the KMS signature does not verify with the Vault key: %v", err)
			}
			if want, _ := sigstore.KeyID(pub); sig.Identity != want || res.Identity != want || sig.Kind != "key" {
				t.Errorf("signature identity %q (%s), verified as %q; want the key ID %q", sig.Identity, sig.Kind, res.Identity, want)
			}
			if _, err := v.Verify(sig.Bundle, []byte("another artifact"), nil); !errors.Is(err, sigstore.ErrSignatureInvalid) {
				t.Errorf("the signature verified over other bytes: %v", err)
			}
		})
	}
}

func TestKMSSignerErrors(t *testing.T) {
	vault, err := sigstoretest.NewVault("release", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer vault.Close()
	for ref, want := range map[string]error{
		"awskms:///not-a-key":                                     sigstore.ErrBadKey,
		"azurekms://vault.vault.azure.net/key":                    sigstore.ErrKMSUnsupported,
		"gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k": sigstore.ErrKMSUnsupported,
		"hashivault://":                                           sigstore.ErrBadKey,
		"hashivault://a/b":                                        sigstore.ErrBadKey,
	} {
		if _, err := sigstore.NewKMSSigner(ref, sigstore.KMSAuth{Address: vault.URL, Token: vault.Token}); !errors.Is(err, want) {
			t.Errorf("%s: got %v, want %v", ref, err, want)
		}
	}
	if _, err := sigstore.NewKMSSigner("hashivault://release", sigstore.KMSAuth{Address: vault.URL}); !errors.Is(err, sigstore.ErrBadKey) || !strings.Contains(err.Error(), "VAULT_TOKEN") {
		t.Errorf("no token: %v", err)
	}
	for name, auth := range map[string]sigstore.KMSAuth{
		"wrong token": {Address: vault.URL, Token: "hvs.wrong"},
		"unknown key": {Address: vault.URL, Token: vault.Token},
	} {
		ref := "hashivault://release"
		if name == "unknown key" {
			ref = "hashivault://other"
		}
		s, err := sigstore.NewKMSSigner(ref, auth)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Sign(context.Background(), []byte("x")); !errors.Is(err, sigstore.ErrKMS) {
			t.Errorf("%s: got %v, want a KMS error", name, err)
		}
	}
	if vault.Signed.Load() != 0 {
		t.Errorf("the transit engine signed %d times for refused requests", vault.Signed.Load())
	}
}

// awsKMS starts an in-process AWS KMS and points the AWS SDK at it through
// the environment, as a workflow step's env would.
func awsKMS(t *testing.T, curve elliptic.Curve) *sigstoretest.AWSKMS {
	t.Helper()
	k, err := sigstoretest.NewAWSKMS("release", curve)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, k.CertificatePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, value := range map[string]string{
		"AWS_CA_BUNDLE": bundle, "AWS_ACCESS_KEY_ID": k.AccessKeyID, "AWS_SECRET_ACCESS_KEY": "hub-test-secret",
		"AWS_REGION": "eu-west-1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	} {
		t.Setenv(name, value)
	}
	return k
}

func TestKMSSignerSignsWithAWS(t *testing.T) {
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
		t.Run(curve.Params().Name, func(t *testing.T) {
			k := awsKMS(t, curve)
			for _, ref := range []string{"awskms://" + k.Endpoint + "/" + k.Alias, "awskms://" + k.Endpoint + "/" + k.KeyID} {
				s, err := sigstore.NewKMSSigner(ref, sigstore.KMSAuth{Region: "eu-west-1"})
				if err != nil {
					t.Fatal(err)
				}
				artifact := []byte("release artifact")
				sig, err := s.Sign(context.Background(), artifact)
				if err != nil {
					t.Fatalf("%s: %v", ref, err)
				}
				pemKey, err := k.PublicKeyPEM()
				if err != nil {
					t.Fatal(err)
				}
				pub, err := sigstore.LoadPublicKey(pemKey)
				if err != nil {
					t.Fatal(err)
				}
				v, err := sigstore.NewKeyVerifier(pub)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := v.Verify(sig.Bundle, artifact, nil); err != nil {
					t.Fatalf("%s: the KMS signature does not verify with the key: %v", ref, err)
				}
				if _, err := v.Verify(sig.Bundle, []byte("other"), nil); !errors.Is(err, sigstore.ErrSignatureInvalid) {
					t.Errorf("%s: the signature verified over other bytes: %v", ref, err)
				}
			}
			if k.Signed.Load() != 2 {
				t.Errorf("the KMS made %d signatures, want 2", k.Signed.Load())
			}
		})
	}
}

func TestKMSSignerAWSErrors(t *testing.T) {
	k := awsKMS(t, nil)
	if _, err := sigstore.NewKMSSigner("awskms:///alias/release", sigstore.KMSAuth{}); !errors.Is(err, sigstore.ErrBadKey) || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Errorf("no region: %v", err)
	}
	s, err := sigstore.NewKMSSigner("awskms://"+k.Endpoint+"/alias/other", sigstore.KMSAuth{Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sign(context.Background(), []byte("x")); !errors.Is(err, sigstore.ErrKMS) || !strings.Contains(err.Error(), "NotFoundException") {
		t.Errorf("unknown key: %v", err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAREVOKED")
	s, err = sigstore.NewKMSSigner("awskms://"+k.Endpoint+"/"+k.Alias, sigstore.KMSAuth{Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sign(context.Background(), []byte("x")); !errors.Is(err, sigstore.ErrKMS) {
		t.Errorf("refused credentials: %v", err)
	}
	if k.Signed.Load() != 0 {
		t.Errorf("the KMS signed %d times for refused requests", k.Signed.Load())
	}
}

// A KMS that never answers does not hold Sign past its context, even
// though Vault's client does not watch the context; a failed first call is
// not remembered, so the next one can succeed.
func TestKMSSignerTimeoutAndRetry(t *testing.T) {
	vault, err := sigstoretest.NewVault("release", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer vault.Close()
	s, err := sigstore.NewKMSSigner("hashivault://release", sigstore.KMSAuth{Address: vault.URL, Token: vault.Token})
	if err != nil {
		t.Fatal(err)
	}
	vault.Hang.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_, err = s.Sign(ctx, []byte("x"))
	cancel()
	if !errors.Is(err, sigstore.ErrKMS) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung Vault: %v, want a KMS error for the deadline", err)
	}
	vault.Hang.Store(false)
	vault.Down.Store(true)
	if _, err := s.Sign(context.Background(), []byte("x")); !errors.Is(err, sigstore.ErrKMS) {
		t.Fatalf("sealed Vault: %v", err)
	}
	vault.Down.Store(false)
	if _, err := s.Sign(context.Background(), []byte("x")); err != nil {
		t.Fatalf("Vault back: %v", err)
	}
	if vault.Signed.Load() != 1 {
		t.Errorf("%d signatures, want 1", vault.Signed.Load())
	}
}
