package sigstore

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"google.golang.org/protobuf/encoding/protojson"
)

// BundleMediaType is the media type of the bundles this package writes.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// Signer signs artifacts into Sigstore bundles.
type Signer interface {
	// Sign signs artifact and returns the bundle with who signed.
	Sign(ctx context.Context, artifact []byte) (*Signature, error)
	// SignReader signs the artifact read from r, to its end, hashing it
	// as it streams: a large artifact is never held in memory.
	SignReader(ctx context.Context, r io.Reader) (*Signature, error)
}

// Signature is a signed bundle and what it says about the signer.
type Signature struct {
	// Bundle is the Sigstore bundle, JSON.
	Bundle []byte `json:"-"`
	// Kind is "key" or "keyless".
	Kind string `json:"kind"`
	// Identity is the certificate's subject alternative name (keyless) or
	// the key's ID (keyed).
	Identity string `json:"identity"`
	// Issuer is the OIDC issuer the certificate names (keyless only).
	Issuer string `json:"issuer,omitempty"`
	// LogIndex is the transparency log entry's index, -1 when not logged.
	LogIndex int64 `json:"logIndex"`
}

// KeySigner signs with a long-lived ECDSA key.
type KeySigner struct {
	key   crypto.Signer
	hash  crypto.Hash
	alg   protocommon.HashAlgorithm
	keyID string
	// wrapSignErr, when set, wraps a failure of key.Sign: a KMS key's
	// failures are the service's.
	wrapSignErr func(error) error
}

// NewKeySigner returns a signer for key, which must be ECDSA on P-256,
// P-384 or P-521 (signing with SHA-256, SHA-384 or SHA-512, as cosign
// pairs them).
func NewKeySigner(key crypto.Signer) (*KeySigner, error) {
	pub, ok := key.Public().(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: expected an ECDSA key, got %T", ErrUnsupportedKey, key.Public())
	}
	h, alg, err := hashFor(pub)
	if err != nil {
		return nil, err
	}
	id, err := KeyID(pub)
	if err != nil {
		return nil, err
	}
	return &KeySigner{key: key, hash: h, alg: alg, keyID: id}, nil
}

// Sign signs artifact. The bundle names the key by its ID and carries no
// transparency log entry: a keyed signature is checked against the public
// key alone.
func (s *KeySigner) Sign(ctx context.Context, artifact []byte) (*Signature, error) {
	return s.SignReader(ctx, bytes.NewReader(artifact))
}

// SignReader is [KeySigner.Sign] for an artifact streamed from r.
func (s *KeySigner) SignReader(_ context.Context, r io.Reader) (*Signature, error) {
	h := s.hash.New()
	if _, err := io.Copy(h, r); err != nil {
		return nil, fmt.Errorf("reading the artifact: %w", err)
	}
	digest := h.Sum(nil)
	sig, err := s.key.Sign(rand.Reader, digest, s.hash)
	if err != nil {
		if s.wrapSignErr != nil {
			return nil, s.wrapSignErr(err)
		}
		return nil, fmt.Errorf("signing: %w", err)
	}
	b := messageBundle(digest, s.alg, sig)
	b.VerificationMaterial = &protobundle.VerificationMaterial{
		Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: s.keyID}},
	}
	out, err := marshalBundle(b)
	if err != nil {
		return nil, err
	}
	return &Signature{Bundle: out, Kind: "key", Identity: s.keyID, LogIndex: -1}, nil
}

// KeylessSigner signs with a fresh key certified for the identity in an
// OIDC token and records the signature in a transparency log: the
// Sigstore "keyless" flow, as "cosign sign-blob" does it.
type KeylessSigner struct {
	Tokens TokenSource
	CA     CertificateAuthority
	Log    TransparencyLog
}

// Sign signs artifact.
func (s *KeylessSigner) Sign(ctx context.Context, artifact []byte) (*Signature, error) {
	return s.SignReader(ctx, bytes.NewReader(artifact))
}

// SignReader is [KeylessSigner.Sign] for an artifact streamed from r,
// hashed before any service is asked.
func (s *KeylessSigner) SignReader(ctx context.Context, r io.Reader) (*Signature, error) {
	digest := crypto.SHA256.New()
	if _, err := io.Copy(digest, r); err != nil {
		return nil, fmt.Errorf("reading the artifact: %w", err)
	}
	sum := digest.Sum(nil)
	if s.Tokens == nil || s.CA == nil || s.Log == nil {
		return nil, errors.New("keyless signing needs a token source, a certificate authority and a transparency log")
	}
	token, err := s.Tokens.Token(ctx)
	if err != nil {
		return nil, err
	}
	// The key lives only in this process, for this one signature: the
	// certificate, valid for minutes, is what binds it to the identity.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the signing key: %w", err)
	}
	chain, err := s.CA.Certificate(ctx, key, token)
	if err != nil {
		return nil, err
	}
	leaf := chain[0]
	sig, err := key.Sign(rand.Reader, sum, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	entry, err := s.Log.Upload(ctx, HashedRekord{Digest: sum, Signature: sig,
		Certificate: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})})
	if err != nil {
		return nil, err
	}
	b := messageBundle(sum, protocommon.HashAlgorithm_SHA2_256, sig)
	b.VerificationMaterial = &protobundle.VerificationMaterial{
		Content:     &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: leaf.Raw}},
		TlogEntries: []*protorekor.TransparencyLogEntry{entry},
	}
	out, err := marshalBundle(b)
	if err != nil {
		return nil, err
	}
	identity, issuer := certIdentity(leaf)
	return &Signature{Bundle: out, Kind: "keyless", Identity: identity, Issuer: issuer, LogIndex: entry.GetLogIndex()}, nil
}

func messageBundle(digest []byte, alg protocommon.HashAlgorithm, sig []byte) *protobundle.Bundle {
	return &protobundle.Bundle{
		MediaType: BundleMediaType,
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: alg, Digest: digest},
			Signature:     sig,
		}},
	}
}

// marshalBundle encodes b as indented JSON. protojson's own output
// varies its whitespace on purpose; re-indenting makes the bytes stable.
func marshalBundle(b *protobundle.Bundle) ([]byte, error) {
	raw, err := protojson.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encoding the bundle: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, fmt.Errorf("encoding the bundle: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// certIdentity returns the subject alternative name and OIDC issuer a
// Fulcio certificate names.
func certIdentity(c *x509.Certificate) (string, string) {
	s, err := certificate.SummarizeCertificate(c)
	if err != nil {
		return "", ""
	}
	return s.SubjectAlternativeName, s.Extensions.Issuer
}
