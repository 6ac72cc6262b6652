package provenance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sigstore/cosign/v2/pkg/cosign"
	serrors "github.com/slsa-framework/slsa-verifier/v2/errors"
	"github.com/slsa-framework/slsa-verifier/v2/options"
	"github.com/slsa-framework/slsa-verifier/v2/verifiers/utils"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/ociref"
)

// GitHubBuildType is the build type of GitHub artifact attestations
// (actions/attest-build-provenance), which slsa-verifier checks through
// its GitHub attestation entry point.
const GitHubBuildType = "https://actions.github.io/buildtypes/workflow/v1"

// SLSAFunc is the signature of slsa-verifier's VerifyArtifact; Online
// calls it, or VerifyGithubAttestation for GitHub artifact attestations.
type SLSAFunc func(ctx context.Context, provenance []byte, artifactSHA256 string,
	prov *options.ProvenanceOpts, builder *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error)

// ImageFunc is the signature of slsa-verifier's VerifyImage.
type ImageFunc func(ctx context.Context, image string, provenance []byte,
	prov *options.ProvenanceOpts, builder *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error)

// Online verifies provenance with slsa-verifier v2.7.1, which fetches the
// Sigstore trusted root through TUF (tuf-repo-cdn.sigstore.dev) and so
// needs the network. slsa-verifier does not compile against the
// sigstore-go this module uses, so it runs as a program of its own, the
// engine (built from the nested module ../slsaverifier, installed beside
// the gate in its image), spoken to in JSON ([Engine]). Its zero value
// runs the engine found beside the running gate ([DefaultEngine]).
type Online struct {
	// Engine runs slsa-verifier; nil means [DefaultEngine].
	Engine *Engine
	// Artifact and Attestation replace slsa-verifier's VerifyArtifact and
	// VerifyGithubAttestation when set (tests give a service that never
	// answers).
	Artifact, Attestation SLSAFunc
	// Image replaces slsa-verifier's VerifyImage when set.
	Image ImageFunc
}

func (o Online) engine() *Engine {
	if o.Engine != nil {
		return o.Engine
	}
	return DefaultEngine()
}

// services names what slsa-verifier reaches, for the message when it
// does not answer.
const services = "the Sigstore TUF repository (tuf-repo-cdn.sigstore.dev) and Rekor (rekor.sigstore.dev)"

// Verify runs slsa-verifier on provenance for the artifact, under ctx's
// deadline. slsa-verifier's TUF client takes no context, so when ctx ends
// first the call is abandoned and Verify returns an error wrapping
// ErrUnavailable; so does any failure that is not a verdict about the
// provenance (a network error), never a pass.
func (o Online) Verify(ctx context.Context, provenance []byte, artifact digest.Digest, p Policy) (*Report, error) {
	if artifact.Algorithm != digest.SHA256 {
		return nil, fmt.Errorf("artifact digest: expected a %s digest, got %q", digest.SHA256, artifact)
	}
	if isGitHubAttestation(provenance) {
		return o.call(ctx, artifact, p, func(ctx context.Context, po *options.ProvenanceOpts, bo *options.BuilderOpts) ([]byte, error) {
			st, _, err := o.attestation()(ctx, provenance, artifact.Hex, po, bo)
			return st, err
		})
	}
	fn := o.Artifact
	if fn == nil {
		fn = o.engine().VerifyArtifact
	}
	return o.call(ctx, artifact, p, func(ctx context.Context, po *options.ProvenanceOpts, bo *options.BuilderOpts) ([]byte, error) {
		st, _, err := fn(ctx, provenance, artifact.Hex, po, bo)
		return st, err
	})
}

// VerifyImage runs slsa-verifier on the provenance attached to img, as
// [FindAttestations] found it: VerifyImage when cosign's attestation tag
// holds any (slsa-verifier reads and verifies them itself, through
// cosign, at img's digest), and VerifyGithubAttestation for each bundle
// among the referrers, with img's digest as the subject it must name. One
// that verifies passes the image.
func (o Online) VerifyImage(ctx context.Context, img ociref.Image, atts []Attestation, p Policy) (*Report, error) {
	if img.Digest.Algorithm != digest.SHA256 {
		return nil, fmt.Errorf("image digest: expected a %s digest, got %q", digest.SHA256, img.Digest)
	}
	var firstErr error
	cosignRead := false
	for _, a := range atts {
		var rep *Report
		var err error
		switch {
		case a.Source == SourceCosign && cosignRead:
			continue // VerifyImage has read every cosign attestation already
		case a.Source == SourceCosign:
			cosignRead = true
			fn := o.Image
			if fn == nil {
				fn = o.engine().VerifyImage
			}
			rep, err = o.call(ctx, img.Digest, p, func(ctx context.Context, po *options.ProvenanceOpts, bo *options.BuilderOpts) ([]byte, error) {
				st, _, err := fn(ctx, img.Ref.String(), nil, po, bo)
				return st, err
			})
		default:
			rep, err = o.call(ctx, img.Digest, p, func(ctx context.Context, po *options.ProvenanceOpts, bo *options.BuilderOpts) ([]byte, error) {
				st, _, err := o.attestation()(ctx, a.Bundle, img.Digest.Hex, po, bo)
				return st, err
			})
		}
		if err == nil {
			rep.Location = a.Location
			return rep, nil
		}
		if errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		if moreTelling(firstErr, err) {
			firstErr = err
		}
	}
	if firstErr == nil {
		return nil, fmt.Errorf("%w: no attestation to verify", ErrMalformed)
	}
	return nil, firstErr
}

// attestation is slsa-verifier's VerifyGithubAttestation, or its stand-in.
func (o Online) attestation() SLSAFunc {
	if o.Attestation != nil {
		return o.Attestation
	}
	return o.engine().VerifyGithubAttestation
}

// call runs one slsa-verifier entry point with the policy's options for
// subject, under ctx's deadline, and classifies its error.
func (o Online) call(ctx context.Context, subject digest.Digest, p Policy,
	fn func(context.Context, *options.ProvenanceOpts, *options.BuilderOpts) ([]byte, error)) (*Report, error) {
	prov, builder := p.SLSAOptions(subject.Hex)
	type outcome struct {
		statement []byte
		err       error
	}
	done := make(chan outcome, 1)
	go func() {
		st, err := fn(ctx, prov, builder)
		done <- outcome{st, err}
	}()
	var out outcome
	select {
	case out = <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: slsa-verifier: %s did not answer: %w", ErrUnavailable, services, context.Cause(ctx))
	}
	if out.err != nil {
		return nil, classify(out.err)
	}
	rep := &Report{Path: "slsa-verifier", Artifact: subject, LogIndex: -1}
	if c, err := DecodeStatement(out.statement); err == nil {
		rep.Claims = c
	}
	return rep, nil
}

// isGitHubAttestation reports whether provenance is a Sigstore bundle of
// a GitHub artifact attestation.
func isGitHubAttestation(provenance []byte) bool {
	var b struct {
		DSSE struct {
			Payload []byte `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	if json.Unmarshal(provenance, &b) != nil {
		return false
	}
	var st struct {
		Predicate struct {
			BuildDefinition struct {
				BuildType string `json:"buildType"`
			} `json:"buildDefinition"`
		} `json:"predicate"`
	}
	return json.Unmarshal(b.DSSE.Payload, &st) == nil && st.Predicate.BuildDefinition.BuildType == GitHubBuildType
}

// verdicts maps slsa-verifier's errors that are a verdict about the
// provenance to this package's sentinels.
var verdicts = []struct {
	name         string
	theirs, ours error
}{
	{"ErrorUntrustedReusableWorkflow", serrors.ErrorUntrustedReusableWorkflow, ErrUntrustedBuilder},
	{"ErrorMismatchBuilderID", serrors.ErrorMismatchBuilderID, ErrUntrustedBuilder},
	{"ErrorInvalidBuilderID", serrors.ErrorInvalidBuilderID, ErrUntrustedBuilder},
	{"ErrorVerifierNotSupported", serrors.ErrorVerifierNotSupported, ErrUntrustedBuilder},
	{"ErrorInvalidOIDCIssuer", serrors.ErrorInvalidOIDCIssuer, ErrUntrustedBuilder},
	{"ErrorMismatchSource", serrors.ErrorMismatchSource, ErrMismatchSource},
	{"ErrorMismatchBranch", serrors.ErrorMismatchBranch, ErrMismatchBranch},
	{"ErrorMismatchTag", serrors.ErrorMismatchTag, ErrMismatchTag},
	{"ErrorMismatchVersionedTag", serrors.ErrorMismatchVersionedTag, ErrMismatchVersionedTag},
	{"ErrorInvalidSemver", serrors.ErrorInvalidSemver, ErrMismatchVersionedTag},
	{"ErrorInvalidRef", serrors.ErrorInvalidRef, ErrInvalidRef},
	{"ErrorMismatchWorkflowInputs", serrors.ErrorMismatchWorkflowInputs, ErrMismatchInputs},
	{"ErrorMismatchHash", serrors.ErrorMismatchHash, ErrMismatchArtifact},
	{"ErrorMismatchCertificate", serrors.ErrorMismatchCertificate, ErrCertificateMismatch},
	{"ErrorInvalidSignature", serrors.ErrorInvalidSignature, ErrSignature},
	{"ErrorNoValidSignature", serrors.ErrorNoValidSignature, ErrSignature},
	{"ErrorNoValidRekorEntries", serrors.ErrorNoValidRekorEntries, ErrSignature},
	{"ErrorInvalidCertificate", serrors.ErrorInvalidCertificate, ErrSignature},
	{"ErrorInvalidRekorEntry", serrors.ErrorInvalidRekorEntry, ErrSignature},
	{"ErrorInvalidDssePayload", serrors.ErrorInvalidDssePayload, ErrMalformed},
	{"ErrorInvalidFormat", serrors.ErrorInvalidFormat, ErrMalformed},
	{"ErrorInvalidEncoding", serrors.ErrorInvalidEncoding, ErrMalformed},
	{"ErrorMalformedURI", serrors.ErrorMalformedURI, ErrMalformed},
	{"ErrorInvalidBuildType", serrors.ErrorInvalidBuildType, ErrMalformed},
	{"ErrorInvalidRecipe", serrors.ErrorInvalidRecipe, ErrMalformed},
	{"ErrorInvalidPEM", serrors.ErrorInvalidPEM, ErrMalformed},
	{"ErrorInvalidHash", serrors.ErrorInvalidHash, ErrMalformed},
	{"ErrorInvalidSubject", serrors.ErrorInvalidSubject, ErrMalformed},
	{"ErrorMissingSubjectDigest", serrors.ErrorMissingSubjectDigest, ErrMalformed},
	{"ErrorEmptyRequiredField", serrors.ErrorEmptyRequiredField, ErrMalformed},
	{"ErrorNonVerifiableClaim", serrors.ErrorNonVerifiableClaim, ErrMalformed},
	{"ErrorMismatchIntoto", serrors.ErrorMismatchIntoto, ErrMismatchArtifact},
	{"ErrorImageHash", serrors.ErrorImageHash, ErrMismatchArtifact},
	{"ErrorMutableImage", serrors.ErrorMutableImage, ErrMismatchArtifact},
}

// cosignVerdict maps cosign's typed errors, which slsa-verifier's image
// path passes on, to verdicts: no signature or attestation that verifies
// is a deny, not an outage.
func cosignVerdict(err error) error {
	var ee *EngineError
	if errors.As(err, &ee) {
		switch ee.Cosign {
		case "ErrNoMatchingSignatures", "ErrNoMatchingAttestations", "ErrNoSignaturesFound":
			return ErrSignature
		case "ErrNoCertificateFoundOnSignature":
			return ErrMalformed
		}
	}
	var noSigs *cosign.ErrNoMatchingSignatures
	var noAtts *cosign.ErrNoMatchingAttestations
	var noneFound *cosign.ErrNoSignaturesFound
	var noCert *cosign.ErrNoCertificateFoundOnSignature
	switch {
	case errors.As(err, &noSigs), errors.As(err, &noAtts), errors.As(err, &noneFound):
		return ErrSignature
	case errors.As(err, &noCert):
		return ErrMalformed
	}
	return nil
}

// classify turns a slsa-verifier error into a verdict (one of this
// package's mismatch sentinels) or, when it is not one, into
// ErrUnavailable: undecided, never a pass and never a deny.
func classify(err error) error {
	for _, v := range verdicts {
		if errors.Is(err, v.theirs) {
			return fmt.Errorf("%w: slsa-verifier: %v", v.ours, err)
		}
	}
	if ours := cosignVerdict(err); ours != nil {
		return fmt.Errorf("%w: slsa-verifier: %v", ours, err)
	}
	// The engine tells a failure to reach a service from a failure of the
	// material that slsa-verifier names by no sentinel (a log entry of
	// another signature): the latter is a verdict.
	var ee *EngineError
	if errors.As(err, &ee) && !ee.Network {
		return fmt.Errorf("%w: slsa-verifier: %v", ErrSignature, err)
	}
	return fmt.Errorf("%w: slsa-verifier could not verify (%s): %v", ErrUnavailable, services, err)
}
