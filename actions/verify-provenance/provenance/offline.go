package provenance

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/sigstore"
)

// Report is what a verified provenance says, ready for a summary or an
// evidence file.
type Report struct {
	// Path says which path verified: "offline" (sigstore-go with a trusted
	// root file) or "slsa-verifier".
	Path string `json:"path"`
	// Artifact is the artifact's digest; for an image, its manifest
	// digest.
	Artifact digest.Digest `json:"artifact"`
	// Location is where an image's provenance was found: cosign's
	// "<repo>:sha256-<hex>.att" tag or a referrer "<repo>@sha256:...".
	Location string `json:"location,omitempty"`
	// Claims are the verified claims the policy was checked against.
	Claims *Claims `json:"claims"`
	// LogIndex is the transparency log index of the signature, -1 if none.
	LogIndex int64 `json:"logIndex"`
	// SignedAt is the log's verified integration time.
	SignedAt time.Time `json:"signedAt,omitzero"`
}

// Offline verifies Sigstore-bundled provenance against a trusted root
// without any network call.
type Offline struct {
	v *sigstore.Verifier
}

// NewOffline builds the verifier from trust material under hub's keyless
// policy ([sigstore.NewKeylessVerifier]): a certificate chaining to a
// certificate authority of the root at every verified time, one
// transparency log entry with a verified inclusion whose body records
// this envelope, every timestamp-authority timestamp verified, the
// threshold of verified timestamps (opts, 1 by default), and signed
// certificate timestamps when the root lists CT logs.
func NewOffline(tm root.TrustedMaterial, opts ...sigstore.Option) (*Offline, error) {
	v, err := sigstore.NewKeylessVerifier(tm, opts...)
	if err != nil {
		return nil, err
	}
	return &Offline{v: v}, nil
}

// Verify checks the bundle in bundleJSON for the artifact whose SHA-256
// digest is artifact, then checks its claims against p. The policy must
// be valid ([Policy.Validate]). Provenance from delegated builders is
// accepted under the rules of [Policy.Check], except in GitHub artifact
// attestations.
func (o *Offline) Verify(bundleJSON []byte, artifact digest.Digest, p Policy) (*Report, error) {
	return o.verify(bundleJSON, artifact, p, !isGitHubAttestation(bundleJSON))
}

// VerifyImage checks provenance found attached to an image: its subject
// must be the image's manifest digest, and no delegated builder is
// accepted ([Policy.CheckImage]).
func (o *Offline) VerifyImage(att Attestation, image digest.Digest, p Policy) (*Report, error) {
	if att.Problem != nil {
		return nil, att.Problem
	}
	rep, err := o.verify(att.Bundle, image, p, false)
	if rep != nil {
		rep.Location = att.Location
	}
	return rep, err
}

func (o *Offline) verify(bundleJSON []byte, artifact digest.Digest, p Policy, delegation bool) (*Report, error) {
	if artifact.Algorithm != digest.SHA256 {
		return nil, fmt.Errorf("artifact digest: expected a %s digest, got %q", digest.SHA256, artifact)
	}
	b, err := sigstore.ParseBundle(bundleJSON)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	env, err := b.Envelope()
	if err != nil || env == nil {
		return nil, fmt.Errorf("%w: expected a DSSE envelope holding an in-toto statement, got a message signature", ErrMalformed)
	}
	// Read the statement before verifying only to tell an artifact that is
	// not a subject from a bad signature: both deny, the reasons differ.
	unverified, err := env.Statement()
	if err != nil {
		// The parser's message may quote the statement: an excerpt only.
		return nil, fmt.Errorf("%w: the DSSE payload is not an in-toto statement: %s", ErrMalformed, sigstore.Excerpt(err.Error()))
	}
	subjectFound := false
	for _, s := range unverified.GetSubject() {
		if s.GetDigest()["sha256"] == artifact.Hex {
			subjectFound = true
		}
	}
	if !subjectFound {
		return nil, fmt.Errorf("%w: expected a subject with digest %s, got %s", ErrMismatchArtifact, artifact, subjectList(unverified.GetSubject()))
	}

	// The certificate must come from a GitHub Actions token issued to the
	// builder workflow, at any version: the version is checked by Check,
	// with slsa-verifier's rules for "v1.2.3" against "refs/tags/v1.2.3".
	// A delegated builder's provenance is signed by a delegator instead.
	names := []string{regexp.QuoteMeta(p.builderName())}
	if delegation {
		for _, d := range delegators {
			names = append(names, regexp.QuoteMeta(d))
		}
	}
	sanRE := "^(" + strings.Join(names, "|") + ")@.+$"
	id, err := verify.NewShortCertificateIdentity(ActionsIssuer, "", "", sanRE)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", FieldBuilderID, p.BuilderID, err)
	}
	res, err := o.v.VerifyPolicy(b, sigstore.Digest{Algorithm: "sha256", Value: artifact.Bytes()}, verify.WithCertificateIdentity(id))
	if err != nil {
		var noMatch *verify.ErrNoMatchingCertificateIdentity
		if errors.As(err, &noMatch) {
			san, iss := "", ""
			if vc, verr := b.VerificationContent(); verr == nil && vc.Certificate() != nil {
				if cs, serr := certificateSummary(vc.Certificate()); serr == nil {
					san, iss = cs.SubjectAlternativeName, cs.Issuer
				}
			}
			by := ""
			if delegation {
				by = " (or by a delegator of the SLSA GitHub generator)"
			}
			return nil, fmt.Errorf("%w: expected a signature by %q%s issued by %q, got %q issued by %q",
				ErrUntrustedBuilder, p.builderName(), by, ActionsIssuer, san, iss)
		}
		return nil, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	if res.Statement == nil || res.Signature == nil || res.Signature.Certificate == nil {
		return nil, fmt.Errorf("%w: expected a certificate-signed in-toto statement", ErrMalformed)
	}
	payload, err := protojson.Marshal(res.Statement)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	c, err := DecodeStatement(payload)
	if err != nil {
		return nil, err
	}
	cert := res.Signature.Certificate
	c.Issuer, c.Signer = cert.Issuer, cert.SubjectAlternativeName
	c.CertificateSource, c.CertificateRef = cert.SourceRepositoryURI, cert.SourceRepositoryRef
	if delegation && isDelegator(c.Signer) {
		c.Delegator = c.Signer
	}
	rep := &Report{Path: "offline", Artifact: artifact, Claims: c, LogIndex: -1}
	for _, ts := range res.VerifiedTimestamps {
		if (ts.Type == "Tlog" || ts.Type == "TimestampAuthority") && (rep.SignedAt.IsZero() || ts.Timestamp.Before(rep.SignedAt)) {
			rep.SignedAt = ts.Timestamp
		}
	}
	if entries, err := b.TlogEntries(); err == nil && len(entries) > 0 {
		rep.LogIndex = entries[0].LogIndex()
	}
	if err := p.check(c, delegation); err != nil {
		return rep, err
	}
	return rep, nil
}

// subjectList renders subjects for a message.
func subjectList[S interface {
	GetName() string
	GetDigest() map[string]string
}](subjects []S) string {
	b, _ := json.Marshal(func() []string {
		out := []string{}
		for _, s := range subjects {
			out = append(out, s.GetName()+" sha256:"+s.GetDigest()["sha256"])
		}
		return out
	}())
	return string(b)
}
