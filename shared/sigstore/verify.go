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
	"strings"
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
	// SignedAt is the earliest verified time of signing: a log's
	// integrated time or a timestamp authority's time; zero when no
	// timestamp was verified (a key signature checked without a trusted
	// root).
	SignedAt time.Time `json:"signedAt,omitzero"`
	// Timestamps counts the verified timestamps (log integrated times and
	// timestamp-authority timestamps).
	Timestamps int `json:"timestamps"`
	// Certificate summarises the signing certificate (keyless only).
	Certificate *certificate.Summary `json:"certificate,omitempty"`
}

// Option adjusts a [Verifier].
type Option func(*config) error

type config struct {
	threshold int
	root      root.TrustedMaterial
}

// WithTimestampThreshold sets how many verified timestamps (transparency
// log integrated times and timestamp-authority timestamps, counted
// together) a signature needs; 1 unless set. A keyless signature's
// certificate must have been valid at each of them.
func WithTimestampThreshold(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("timestamp threshold: expected at least 1, got %d", n)
		}
		c.threshold = n
		return nil
	}
}

// WithTrustedRoot gives a key verifier the transparency logs and timestamp
// authorities to check a key signature's log entries and timestamps
// against. Without it a key signature is trusted on the key alone, and its
// log entries and timestamps are not looked at.
func WithTrustedRoot(tm root.TrustedMaterial) Option {
	return func(c *config) error {
		c.root = tm
		return nil
	}
}

// Verifier checks bundles against one set of trust material.
type Verifier struct {
	keyless bool
	key     crypto.PublicKey
	keyID   string
	// tm is what signatures, log entries and timestamps are checked
	// against: the trusted root (keyless), the key, or both.
	tm        root.TrustedMaterial
	withRoot  bool
	threshold int
}

// NewKeylessVerifier verifies certificate-signed bundles against a trusted
// root: the certificate must chain to one of its certificate authorities
// at every verified time of signing (at least the threshold of them, from
// the root's transparency logs and timestamp authorities), one log entry
// must verify (with an inclusion promise or, for Rekor v2, an inclusion
// proof and checkpoint), and, when the root lists certificate transparency
// logs, the certificate must carry a signed certificate timestamp from one
// of them. No network call is made.
func NewKeylessVerifier(tm root.TrustedMaterial, opts ...Option) (*Verifier, error) {
	c, err := configure(opts)
	if err != nil {
		return nil, err
	}
	v := &Verifier{keyless: true, tm: tm, withRoot: true, threshold: c.threshold}
	if _, err := v.entityVerifier(false); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTrustedRoot, err)
	}
	return v, nil
}

// NewKeyVerifier verifies key-signed bundles against pub: the signature is
// checked with pub itself, whatever key hint the bundle carries (clients
// spell hints differently). With [WithTrustedRoot], the bundle's log
// entries must verify against the root's logs and name pub, its
// timestamp-authority timestamps must verify, and the threshold of
// verified timestamps applies.
func NewKeyVerifier(pub crypto.PublicKey, opts ...Option) (*Verifier, error) {
	c, err := configure(opts)
	if err != nil {
		return nil, err
	}
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
	// The key is the trust anchor whatever the bundle's hint says: the
	// signature must verify with it, so a hint can neither pick another
	// key nor, spelled otherwise, refuse this one.
	var tm root.TrustedMaterial = root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil })
	v := &Verifier{key: ec, keyID: id, threshold: c.threshold}
	if c.root != nil {
		tm = root.TrustedMaterialCollection{c.root, tm}
		v.withRoot = true
	}
	v.tm = tm
	if _, err := v.entityVerifier(false); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	return v, nil
}

func configure(opts []Option) (config, error) {
	c := config{threshold: 1}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// entityVerifier builds sigstore-go's verifier for one bundle. A keyless
// signature needs a log entry and the threshold of observer timestamps. A
// key signature checked against a trusted root needs the threshold of
// timestamps too, and its log entries, when it has any, must verify; one
// checked on the key alone needs none.
func (v *Verifier) entityVerifier(hasEntries bool) (*verify.Verifier, error) {
	var opts []verify.VerifierOption
	switch {
	case v.keyless:
		opts = append(opts, verify.WithTransparencyLog(1), verify.WithObserverTimestamps(v.threshold))
		if len(v.tm.CTLogs()) > 0 {
			opts = append(opts, verify.WithSignedCertificateTimestamps(1))
		}
	case v.withRoot:
		if hasEntries {
			opts = append(opts, verify.WithTransparencyLog(1))
		}
		opts = append(opts, verify.WithObserverTimestamps(v.threshold))
	default:
		opts = append(opts, verify.WithNoObserverTimestamps())
	}
	return verify.NewVerifier(v.tm, opts...)
}

// ParseBundle reads a Sigstore bundle (any version sigstore-go accepts:
// v0.1 to v0.3, Rekor v1 and v2 entries).
func ParseBundle(data []byte) (*bundle.Bundle, error) {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(data); err != nil {
		// The parser's message may quote the file; only an excerpt of it
		// is kept.
		return nil, fmt.Errorf("%w: %s", ErrMalformedBundle, Excerpt(err.Error()))
	}
	return &b, nil
}

// Verify checks the bundle in bundleJSON against artifact. A keyless
// verifier requires id; a keyed one ignores it.
func (v *Verifier) Verify(bundleJSON, artifact []byte, id *Identity) (*Result, error) {
	return v.VerifyReader(bundleJSON, bytes.NewReader(artifact), id)
}

// VerifyReader is [Verifier.Verify] for an artifact read from r, which is
// read once, to its end, and hashed as it is read: the artifact is never
// held in memory.
func (v *Verifier) VerifyReader(bundleJSON []byte, artifact io.Reader, id *Identity) (*Result, error) {
	b, err := ParseBundle(bundleJSON)
	if err != nil {
		return nil, err
	}
	return v.VerifyEntity(b, artifact, id)
}

// VerifyEntity checks any signed entity (a parsed bundle, or one rebuilt
// from cosign's tag layout) against the artifact read from r, hashed as it
// is read with the algorithm the signature states.
func (v *Verifier) VerifyEntity(e verify.SignedEntity, artifact io.Reader, id *Identity) (*Result, error) {
	d, err := HashFor(e, artifact)
	if err != nil {
		return nil, err
	}
	return v.VerifyDigest(e, d, id)
}

// VerifyDigest is [Verifier.VerifyEntity] for an artifact known by its
// digest only, as "cosign verify-blob --digest" takes it: the bundle's
// message digest (or a subject of its DSSE statement) must be d.
func (v *Verifier) VerifyDigest(e verify.SignedEntity, d Digest, id *Identity) (*Result, error) {
	vc, err := e.VerificationContent()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedBundle, err)
	}
	leaf := vc.Certificate()
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
		if err := v.checkKeySignature(e, vc, d); err != nil {
			return nil, err
		}
		policy = verify.WithKey()
	}
	res, err := v.VerifyPolicy(e, d, policy)
	if err != nil {
		var noMatch *verify.ErrNoMatchingCertificateIdentity
		if errors.As(err, &noMatch) {
			san, iss := certIdentity(leaf)
			return nil, fmt.Errorf("%w: expected identity matching %q issued by %q, got %q issued by %q",
				ErrUntrustedSigner, id.SubjectRegexp, id.Issuer, san, iss)
		}
		return nil, err
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
		if ts.Type != "Tlog" && ts.Type != "TimestampAuthority" {
			continue
		}
		out.Timestamps++
		if out.SignedAt.IsZero() || ts.Timestamp.Before(out.SignedAt) {
			out.SignedAt = ts.Timestamp
		}
	}
	if entries, err := e.TlogEntries(); err == nil && len(entries) > 0 {
		out.LogIndex = entries[0].LogIndex()
	}
	return out, nil
}

// VerifyPolicy applies hub's verification policy to e for the artifact
// digest d, with the identity or key policy given: sigstore-go's checks
// (signature, certificate chain at each verified time, log inclusion,
// timestamps, identity), and on top of them the rules sigstore-go leaves
// to its caller: every timestamp-authority timestamp present must verify
// (not only enough of them), and every transparency log entry's body must
// record this signature over this digest (GHSA-whqx-f9j3-ch6m: a valid
// entry of another signature proves nothing about this one). Failures
// wrap ErrSignatureInvalid or ErrMalformedBundle; an identity mismatch is
// sigstore-go's *verify.ErrNoMatchingCertificateIdentity.
func (v *Verifier) VerifyPolicy(e verify.SignedEntity, d Digest, policy verify.PolicyOption) (*verify.VerificationResult, error) {
	entries, err := e.TlogEntries()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedBundle, err)
	}
	sev, err := v.entityVerifier(len(entries) > 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTrustedRoot, err)
	}
	if v.withRoot {
		if err := checkTimestamps(e, v.tm); err != nil {
			return nil, err
		}
	}
	if err := checkDigest(e, d); err != nil {
		return nil, err
	}
	if v.withRoot {
		if err := checkEntryBodies(e, entries); err != nil {
			return nil, err
		}
	}
	res, err := sev.Verify(e, verify.NewPolicy(verify.WithArtifactDigest(d.Algorithm, d.Value), policy))
	if err != nil {
		var noMatch *verify.ErrNoMatchingCertificateIdentity
		if errors.As(err, &noMatch) {
			return nil, err
		}
		if isSubjectMismatch(e, err) {
			return nil, fmt.Errorf("%w: %w: %v", ErrSignatureInvalid, ErrArtifactMismatch, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrSignatureInvalid, err)
	}
	return res, nil
}

// isSubjectMismatch reports whether sigstore-go refused a DSSE statement
// because no subject is the artifact (its error is not typed).
func isSubjectMismatch(e verify.SignedEntity, err error) bool {
	sc, serr := e.SignatureContent()
	return serr == nil && sc.EnvelopeContent() != nil && strings.Contains(err.Error(), "artifact digest")
}

// checkTimestamps refuses a bundle carrying a timestamp-authority
// timestamp that does not verify against tm: sigstore-go counts the ones
// that verify and skips the rest once the threshold is met, so a forged
// timestamp beside a valid log time would pass unseen.
func checkTimestamps(e verify.SignedEntity, tm root.TrustedMaterial) error {
	_, errs, err := verify.VerifySignedTimestamp(e, tm)
	if err != nil {
		return fmt.Errorf("%w: reading the timestamp-authority timestamps: %v", ErrSignatureInvalid, err)
	}
	if len(errs) > 0 {
		n, _ := e.Timestamps()
		return fmt.Errorf("%w: %d of the bundle's %d timestamp-authority timestamps do not verify against the trusted root's timestamp authorities (the first: %s)",
			ErrSignatureInvalid, len(errs), len(n), strings.ReplaceAll(errs[0].Error(), ": %!w(<nil>)", ""))
	}
	return nil
}

// checkKeySignature tells a message signature made by another key from a
// broken one: when the bundle states the artifact's digest but its
// signature does not verify with the key, the artifact is the one signed
// and another key signed it.
func (v *Verifier) checkKeySignature(e verify.SignedEntity, vc verify.VerificationContent, d Digest) error {
	sc, err := e.SignatureContent()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedBundle, err)
	}
	ms := sc.MessageSignatureContent()
	if ms == nil || normalAlgorithm(ms.DigestAlgorithm()) != d.Algorithm || !bytes.Equal(ms.Digest(), d.Value) {
		return nil // checkDigest reports it
	}
	if ecdsa.VerifyASN1(v.key.(*ecdsa.PublicKey), d.Value, ms.Signature()) {
		return nil
	}
	hint := ""
	if pk := vc.PublicKey(); pk != nil && pk.Hint() != "" {
		hint = fmt.Sprintf(" (the bundle names key %q)", pk.Hint())
	}
	return fmt.Errorf("%w: expected a signature by key %s, got a signature over the artifact that this key did not make%s", ErrUntrustedSigner, v.keyID, hint)
}

// leafName is the identity a certificate names, for messages.
func leafName(c *x509.Certificate) string {
	san, _ := certIdentity(c)
	return san
}
