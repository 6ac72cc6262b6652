package sigstore

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
)

// Identity is who a keyless signature must come from.
type Identity struct {
	// SubjectRegexp must match the certificate's subject alternative name
	// (for GitHub Actions, "https://github.com/<owner>/<repo>/.github/
	// workflows/<file>@<ref>"); anchor it with ^ and $.
	SubjectRegexp string `json:"subjectRegexp"`
	// Issuer must equal the certificate's OIDC issuer extension
	// ("https://token.actions.githubusercontent.com").
	Issuer string `json:"issuer"`
}

// Result is what a verified bundle says about its signature.
type Result struct {
	// Kind is "key" or "keyless".
	Kind string `json:"kind"`
	// Identity is the certificate's subject alternative name, or the key's
	// ID for a keyed signature.
	Identity string `json:"identity"`
	// Issuer is the certificate's OIDC issuer (keyless only).
	Issuer string `json:"issuer,omitempty"`
	// LogIndex is the transparency log index, -1 when not logged.
	LogIndex int64 `json:"logIndex"`
	// SignedAt is the verified time of signing (the log's integrated
	// time), zero for keyed signatures.
	SignedAt time.Time `json:"signedAt,omitzero"`
	// Certificate summarises the signing certificate (keyless only).
	Certificate *certificate.Summary `json:"certificate,omitempty"`
}

// Verifier checks bundles against one set of trust material.
type Verifier struct {
	keyless bool
	keyID   string
	sev     *verify.SignedEntityVerifier
}

// NewKeylessVerifier verifies certificate-signed bundles against a trusted
// root: the certificate must chain to one of its certificate authorities
// at the time a transparency log of the root recorded the signature (one
// log entry with a verified inclusion promise or proof is required), and,
// when the root lists certificate transparency logs, carry a signed
// certificate timestamp from one of them. No network call is made.
func NewKeylessVerifier(tm root.TrustedMaterial) (*Verifier, error) {
	opts := []verify.VerifierOption{verify.WithTransparencyLog(1), verify.WithObserverTimestamps(1)}
	if len(tm.CTLogs()) > 0 {
		opts = append(opts, verify.WithSignedCertificateTimestamps(1))
	}
	sev, err := verify.NewSignedEntityVerifier(tm, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTrustedRoot, err)
	}
	return &Verifier{keyless: true, sev: sev}, nil
}

// NewKeyVerifier verifies key-signed bundles against pub.
func NewKeyVerifier(pub crypto.PublicKey) (*Verifier, error) {
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: expected an ECDSA key, got %T", ErrUnsupportedKey, pub)
	}
	h, _, err := hashFor(ec)
	if err != nil {
		return nil, err
	}
	sv, err := signature.LoadVerifier(ec, h)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	id, err := KeyID(ec)
	if err != nil {
		return nil, err
	}
	key := root.NewExpiringKey(sv, time.Time{}, time.Time{})
	tm := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil })
	// A long-lived key has no certificate whose lifetime needs a trusted
	// time, so no observer timestamp is required: the key is trusted for
	// as long as the caller holds it trusted.
	sev, err := verify.NewSignedEntityVerifier(tm, verify.WithoutAnyObserverTimestampsUnsafe())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	return &Verifier{keyID: id, sev: sev}, nil
}

// ParseBundle reads a Sigstore bundle (any version sigstore-go accepts).
func ParseBundle(data []byte) (*bundle.Bundle, error) {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedBundle, err)
	}
	return &b, nil
}

// Verify checks the bundle in bundleJSON against artifact. A keyless
// verifier requires id; a keyed one ignores it.
func (v *Verifier) Verify(bundleJSON, artifact []byte, id *Identity) (*Result, error) {
	return v.VerifyReader(bundleJSON, bytes.NewReader(artifact), id)
}

// VerifyReader is [Verifier.Verify] for an artifact read from r, which is
// read once, to its end, so a large artifact need not be held in memory
// twice.
func (v *Verifier) VerifyReader(bundleJSON []byte, artifact io.Reader, id *Identity) (*Result, error) {
	b, err := ParseBundle(bundleJSON)
	if err != nil {
		return nil, err
	}
	return v.VerifyEntity(b, artifact, id)
}

// VerifyEntity checks any signed entity (a parsed bundle, or a test
// entity from sigstore-go's virtual Sigstore) against the artifact read
// from r.
func (v *Verifier) VerifyEntity(e verify.SignedEntity, artifact io.Reader, id *Identity) (*Result, error) {
	vc, err := e.VerificationContent()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedBundle, err)
	}
	leaf := vc.GetCertificate()
	var policy verify.PolicyOption
	switch {
	case v.keyless && leaf == nil:
		return nil, fmt.Errorf("%w: expected a keyless signature (a certificate), got a key signature", ErrUntrustedSigner)
	case !v.keyless && leaf != nil:
		return nil, fmt.Errorf("%w: expected a signature by key %s, got a keyless signature by %q", ErrUntrustedSigner, v.keyID, leafName(leaf))
	case v.keyless:
		if id == nil || id.SubjectRegexp == "" || id.Issuer == "" {
			return nil, fmt.Errorf("%w: no expected identity given", ErrUntrustedSigner)
		}
		if _, err := regexp.Compile(id.SubjectRegexp); err != nil {
			return nil, fmt.Errorf("identity regexp %q: %w", id.SubjectRegexp, err)
		}
		ci, err := verify.NewShortCertificateIdentity(id.Issuer, "", "", id.SubjectRegexp)
		if err != nil {
			return nil, fmt.Errorf("identity %q: %w", id.SubjectRegexp, err)
		}
		policy = verify.WithCertificateIdentity(ci)
	default:
		if pk, ok := vc.HasPublicKey(); ok && pk.Hint() != "" && pk.Hint() != v.keyID {
			return nil, fmt.Errorf("%w: expected key %s, got a signature by key %q", ErrUntrustedSigner, v.keyID, pk.Hint())
		}
		policy = verify.WithKey()
	}
	res, err := v.sev.Verify(e, verify.NewPolicy(verify.WithArtifact(artifact), policy))
	if err != nil {
		var noMatch *verify.ErrNoMatchingCertificateIdentity
		if errors.As(err, &noMatch) {
			san, iss := certIdentity(leaf)
			return nil, fmt.Errorf("%w: expected identity matching %q issued by %q, got %q issued by %q",
				ErrUntrustedSigner, id.SubjectRegexp, id.Issuer, san, iss)
		}
		return nil, fmt.Errorf("%w: %v", ErrSignatureInvalid, err)
	}
	out := &Result{Kind: "key", Identity: v.keyID, LogIndex: -1}
	if v.keyless {
		out.Kind = "keyless"
		out.Identity, out.Issuer = certIdentity(leaf)
		if res.Signature != nil {
			out.Certificate = res.Signature.Certificate
		}
	}
	for _, ts := range res.VerifiedTimestamps {
		if ts.Type == "Tlog" && (out.SignedAt.IsZero() || ts.Timestamp.Before(out.SignedAt)) {
			out.SignedAt = ts.Timestamp
		}
	}
	if entries, err := e.TlogEntries(); err == nil && len(entries) > 0 {
		out.LogIndex = entries[0].LogIndex()
	}
	return out, nil
}

// leafName is the identity a certificate names, for messages.
func leafName(c *x509.Certificate) string {
	san, _ := certIdentity(c)
	return san
}
