package provenance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	serrors "github.com/slsa-framework/slsa-verifier/v2/errors"
	"github.com/slsa-framework/slsa-verifier/v2/options"
	"github.com/slsa-framework/slsa-verifier/v2/verifiers"
	"github.com/slsa-framework/slsa-verifier/v2/verifiers/utils"

	"github.com/hubgates/hub/shared/digest"
)

// GitHubBuildType is the build type of GitHub artifact attestations
// (actions/attest-build-provenance), which slsa-verifier checks through
// its GitHub attestation entry point.
const GitHubBuildType = "https://actions.github.io/buildtypes/workflow/v1"

// SLSAFunc is the signature of slsa-verifier's VerifyArtifact; Online
// calls it, or VerifyGithubAttestation for GitHub artifact attestations.
type SLSAFunc func(ctx context.Context, provenance []byte, artifactSHA256 string,
	prov *options.ProvenanceOpts, builder *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error)

// Online verifies provenance with slsa-verifier v2.7.1, which fetches the
// Sigstore trusted root through TUF (tuf-repo-cdn.sigstore.dev) and so
// needs the network. Its zero value calls slsa-verifier itself.
type Online struct {
	// Artifact and Attestation replace slsa-verifier's VerifyArtifact and
	// VerifyGithubAttestation when set (tests give a service that never
	// answers).
	Artifact, Attestation SLSAFunc
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
	fn := o.Artifact
	if fn == nil {
		fn = verifiers.VerifyArtifact
	}
	if isGitHubAttestation(provenance) {
		fn = o.Attestation
		if fn == nil {
			fn = func(ctx context.Context, prov []byte, _ string, po *options.ProvenanceOpts, bo *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
				return verifiers.VerifyGithubAttestation(ctx, prov, po, bo)
			}
		}
	}
	prov, builder := p.SLSAOptions(artifact.Hex)
	type outcome struct {
		statement []byte
		err       error
	}
	done := make(chan outcome, 1)
	go func() {
		st, _, err := fn(ctx, provenance, artifact.Hex, prov, builder)
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
	rep := &Report{Path: "slsa-verifier", Artifact: artifact, LogIndex: -1}
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
var verdicts = []struct{ theirs, ours error }{
	{serrors.ErrorUntrustedReusableWorkflow, ErrUntrustedBuilder},
	{serrors.ErrorMismatchBuilderID, ErrUntrustedBuilder},
	{serrors.ErrorInvalidBuilderID, ErrUntrustedBuilder},
	{serrors.ErrorVerifierNotSupported, ErrUntrustedBuilder},
	{serrors.ErrorInvalidOIDCIssuer, ErrUntrustedBuilder},
	{serrors.ErrorMismatchSource, ErrMismatchSource},
	{serrors.ErrorMismatchBranch, ErrMismatchBranch},
	{serrors.ErrorMismatchTag, ErrMismatchTag},
	{serrors.ErrorMismatchVersionedTag, ErrMismatchVersionedTag},
	{serrors.ErrorInvalidSemver, ErrMismatchVersionedTag},
	{serrors.ErrorInvalidRef, ErrInvalidRef},
	{serrors.ErrorMismatchWorkflowInputs, ErrMismatchInputs},
	{serrors.ErrorMismatchHash, ErrMismatchArtifact},
	{serrors.ErrorMismatchCertificate, ErrCertificateMismatch},
	{serrors.ErrorInvalidSignature, ErrSignature},
	{serrors.ErrorNoValidSignature, ErrSignature},
	{serrors.ErrorNoValidRekorEntries, ErrSignature},
	{serrors.ErrorInvalidCertificate, ErrSignature},
	{serrors.ErrorInvalidRekorEntry, ErrSignature},
	{serrors.ErrorInvalidDssePayload, ErrMalformed},
	{serrors.ErrorInvalidFormat, ErrMalformed},
	{serrors.ErrorInvalidEncoding, ErrMalformed},
	{serrors.ErrorMalformedURI, ErrMalformed},
	{serrors.ErrorInvalidBuildType, ErrMalformed},
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
	return fmt.Errorf("%w: slsa-verifier could not verify (%s): %v", ErrUnavailable, services, err)
}
