package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/sigstore/cosign/v2/pkg/cosign"
	serrors "github.com/slsa-framework/slsa-verifier/v2/errors"
	"github.com/slsa-framework/slsa-verifier/v2/options"
	"github.com/slsa-framework/slsa-verifier/v2/verifiers"
	"github.com/slsa-framework/slsa-verifier/v2/verifiers/utils"
)

// The entry points a request names.
const (
	EntryArtifact    = "artifact"    // verifiers.VerifyArtifact
	EntryAttestation = "attestation" // verifiers.VerifyGithubAttestation
	EntryImage       = "image"       // verifiers.VerifyImage
)

// Request is one call of slsa-verifier. The option structs are
// slsa-verifier's own, encoded by their field names.
type Request struct {
	Entry          string                  `json:"entry"`
	Provenance     []byte                  `json:"provenance,omitempty"`
	ArtifactSHA256 string                  `json:"artifactSha256,omitempty"`
	Image          string                  `json:"image,omitempty"`
	ProvenanceOpts *options.ProvenanceOpts `json:"provenanceOpts"`
	BuilderOpts    *options.BuilderOpts    `json:"builderOpts"`
}

// Response is slsa-verifier's answer: the verified statement and builder,
// or the error. Sentinel is the name of the slsa-verifier error the
// failure wraps (errors.Is), and Cosign the name of cosign's typed error
// it wraps (errors.As), so the caller can classify a verdict without
// parsing messages; both are empty for a failure that is no verdict (the
// network).
type Response struct {
	Statement []byte `json:"statement,omitempty"`
	BuilderID string `json:"builderId,omitempty"`
	Error     string `json:"error,omitempty"`
	Sentinel  string `json:"sentinel,omitempty"`
	Cosign    string `json:"cosign,omitempty"`
	// Network is set when the failure is the network's (a TUF or Rekor
	// request that failed): no verdict about the provenance.
	Network bool `json:"network,omitempty"`
}

// Serve runs the request. Its error is a bad request; slsa-verifier's
// own failures are in the response.
func Serve(ctx context.Context, req Request) (Response, error) {
	if req.ProvenanceOpts == nil || req.BuilderOpts == nil {
		return Response{}, fmt.Errorf("%w: provenanceOpts and builderOpts are required", errBadRequest)
	}
	switch req.Entry {
	case EntryArtifact:
		st, b, e := verifiers.VerifyArtifact(ctx, req.Provenance, req.ArtifactSHA256, req.ProvenanceOpts, req.BuilderOpts)
		return respond(st, b, e), nil
	case EntryAttestation:
		st, b, e := verifiers.VerifyGithubAttestation(ctx, req.Provenance, req.ProvenanceOpts, req.BuilderOpts)
		return respond(st, b, e), nil
	case EntryImage:
		st, b, e := verifiers.VerifyImage(ctx, req.Image, req.Provenance, req.ProvenanceOpts, req.BuilderOpts)
		return respond(st, b, e), nil
	}
	return Response{}, fmt.Errorf("%w: entry %q: want %s, %s or %s", errBadRequest, req.Entry, EntryArtifact, EntryAttestation, EntryImage)
}

func respond(st []byte, builder *utils.TrustedBuilderID, err error) Response {
	if err == nil {
		r := Response{Statement: st}
		if builder != nil {
			r.BuilderID = builder.String()
		}
		return r
	}
	r := Response{Error: err.Error()}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			r.Sentinel = s.name
			break
		}
	}
	r.Network = isNetwork(err)
	r.Cosign = cosignError(err)
	return r
}

// sentinels are slsa-verifier's errors a failure is classified by, by
// their names in its errors package (two share one message, so the name,
// not the text, identifies them).
var sentinels = []struct {
	name string
	err  error
}{
	{"ErrorInvalidDssePayload", serrors.ErrorInvalidDssePayload},
	{"ErrorUntrustedReusableWorkflow", serrors.ErrorUntrustedReusableWorkflow},
	{"ErrorNoValidRekorEntries", serrors.ErrorNoValidRekorEntries},
	{"ErrorVerifierNotSupported", serrors.ErrorVerifierNotSupported},
	{"ErrorInvalidSignature", serrors.ErrorInvalidSignature},
	{"ErrorNoValidSignature", serrors.ErrorNoValidSignature},
	{"ErrorMismatchSource", serrors.ErrorMismatchSource},
	{"ErrorMismatchBranch", serrors.ErrorMismatchBranch},
	{"ErrorMismatchTag", serrors.ErrorMismatchTag},
	{"ErrorMismatchVersionedTag", serrors.ErrorMismatchVersionedTag},
	{"ErrorMismatchWorkflowInputs", serrors.ErrorMismatchWorkflowInputs},
	{"ErrorMismatchHash", serrors.ErrorMismatchHash},
	{"ErrorMismatchCertificate", serrors.ErrorMismatchCertificate},
	{"ErrorMismatchBuilderID", serrors.ErrorMismatchBuilderID},
	{"ErrorInvalidBuilderID", serrors.ErrorInvalidBuilderID},
	{"ErrorInvalidOIDCIssuer", serrors.ErrorInvalidOIDCIssuer},
	{"ErrorInvalidSemver", serrors.ErrorInvalidSemver},
	{"ErrorInvalidRef", serrors.ErrorInvalidRef},
	{"ErrorInvalidFormat", serrors.ErrorInvalidFormat},
	{"ErrorInvalidEncoding", serrors.ErrorInvalidEncoding},
	{"ErrorMalformedURI", serrors.ErrorMalformedURI},
	{"ErrorInvalidBuildType", serrors.ErrorInvalidBuildType},
	{"ErrorInvalidRecipe", serrors.ErrorInvalidRecipe},
	{"ErrorInvalidPEM", serrors.ErrorInvalidPEM},
	{"ErrorInvalidHash", serrors.ErrorInvalidHash},
	{"ErrorInvalidSubject", serrors.ErrorInvalidSubject},
	{"ErrorMissingSubjectDigest", serrors.ErrorMissingSubjectDigest},
	{"ErrorEmptyRequiredField", serrors.ErrorEmptyRequiredField},
	{"ErrorNonVerifiableClaim", serrors.ErrorNonVerifiableClaim},
	{"ErrorMismatchIntoto", serrors.ErrorMismatchIntoto},
	{"ErrorImageHash", serrors.ErrorImageHash},
	{"ErrorMutableImage", serrors.ErrorMutableImage},
	{"ErrorInvalidCertificate", serrors.ErrorInvalidCertificate},
	{"ErrorInvalidRekorEntry", serrors.ErrorInvalidRekorEntry},
}

// cosignError names the cosign typed error err wraps, if any.
func cosignError(err error) string {
	var noSigs *cosign.ErrNoMatchingSignatures
	var noAtts *cosign.ErrNoMatchingAttestations
	var noneFound *cosign.ErrNoSignaturesFound
	var noCert *cosign.ErrNoCertificateFoundOnSignature
	switch {
	case errors.As(err, &noSigs):
		return "ErrNoMatchingSignatures"
	case errors.As(err, &noAtts):
		return "ErrNoMatchingAttestations"
	case errors.As(err, &noneFound):
		return "ErrNoSignaturesFound"
	case errors.As(err, &noCert):
		return "ErrNoCertificateFoundOnSignature"
	}
	return ""
}

// isNetwork reports whether err is a failure to reach a service rather
// than a verdict: slsa-verifier wraps some of them with %v, so their text
// is looked at too.
func isNetwork(err error) bool {
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"tuf refresh failed", "dial tcp", "no such host", "connection refused", "i/o timeout", "TLS handshake"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
