package evidencegate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
)

// ErrNotEvidence is wrapped when a bundle is not a hub evidence
// statement (another payload type or predicate type).
var ErrNotEvidence = errors.New("not a hub evidence bundle")

// Verified is an evidence bundle whose signature verified.
type Verified struct {
	Statement Statement
	Signer    *sigstore.Result
}

// VerifyBundle checks an evidence bundle: a DSSE envelope of an in-toto
// statement of [PredicateType] that matches [Schema], signed as v and id
// require, one of whose subjects is d. Errors wrap ErrNotEvidence,
// sigstore's sentinels (ErrSignatureInvalid with ErrArtifactMismatch for
// another subject, ErrUntrustedSigner for another signer) or
// ErrMalformedBundle.
func VerifyBundle(v *sigstore.Verifier, bundle []byte, d sigstore.Digest, id *sigstore.Identity) (*Verified, error) {
	payload, err := Payload(bundle)
	if err != nil {
		return nil, err
	}
	b, err := sigstore.ParseBundle(bundle)
	if err != nil {
		return nil, err
	}
	res, err := v.VerifyDigest(b, d, id)
	if err != nil {
		return nil, err
	}
	if err := ValidateStatement(payload); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotEvidence, err)
	}
	var st Statement
	if err := json.Unmarshal(payload, &st); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotEvidence, err)
	}
	return &Verified{Statement: st, Signer: res}, nil
}

// Payload returns the statement of an evidence bundle, unverified, after
// checking that it is one: the envelope's payload type is in-toto's and
// the statement's predicate type is [PredicateType].
func Payload(bundle []byte) ([]byte, error) {
	return sigstore.StatementPayload(bundle, PredicateType, ErrNotEvidence)
}

// Attached returns the evidence bundles attached to img as OCI referrers
// (the others are skipped), with the error of any referrer that could
// not be read.
func Attached(ctx context.Context, img ociref.Image, opts ...remote.Option) ([][]byte, error) {
	all, err := ociref.Bundles(ctx, img, opts...)
	var out [][]byte
	for _, b := range all {
		if _, perr := Payload(b); perr == nil {
			out = append(out, b)
		}
	}
	return out, err
}
