package sigstore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	rekorclient "github.com/sigstore/rekor/pkg/client"
	"github.com/sigstore/rekor/pkg/generated/client/entries"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/rekor/pkg/pki"
	"github.com/sigstore/rekor/pkg/tle"
	"github.com/sigstore/rekor/pkg/types"
	"github.com/sigstore/rekor/pkg/types/hashedrekord"

	// Register the hashedrekord entry version the log is sent.
	_ "github.com/sigstore/rekor/pkg/types/hashedrekord/v0.0.1"
	// And the dsse entry version DSSE envelopes are sent as.
	_ "github.com/sigstore/rekor/pkg/types/dsse/v0.0.1"

	"github.com/hubgates/hub/shared/version"
)

// HashedRekord is a signature to record in a transparency log: a
// signature over the artifact whose SHA-256 digest is Digest, made by the
// key in Certificate (PEM).
type HashedRekord struct {
	Digest      []byte
	Signature   []byte
	Certificate []byte
}

// TransparencyLog records signatures.
type TransparencyLog interface {
	// Upload records e and returns the log entry, with its inclusion
	// promise and proof, as it goes into a bundle.
	Upload(ctx context.Context, e HashedRekord) (*protorekor.TransparencyLogEntry, error)
}

// Rekor is a client of a Rekor transparency log (v1 API), such as
// https://rekor.sigstore.dev.
type Rekor struct {
	BaseURL string
	Retry   Retry
}

// Upload creates a hashedrekord entry.
func (r *Rekor) Upload(ctx context.Context, e HashedRekord) (*protorekor.TransparencyLogEntry, error) {
	pe, err := hashedrekord.New().CreateProposedEntry(ctx, "", types.ArtifactProperties{
		ArtifactHash:   "sha256:" + hex.EncodeToString(e.Digest),
		SignatureBytes: e.Signature,
		PublicKeyBytes: [][]byte{e.Certificate},
		PKIFormat:      string(pki.X509),
	})
	if err != nil {
		return nil, fmt.Errorf("building the Rekor entry: %w", err)
	}
	return r.create(ctx, pe)
}

// create sends a proposed entry and returns the entry logged.
func (r *Rekor) create(ctx context.Context, pe models.ProposedEntry) (*protorekor.TransparencyLogEntry, error) {
	c, err := rekorclient.GetRekorClient(r.BaseURL,
		rekorclient.WithRetryCount(uint(r.Retry.attempts()-1)),
		rekorclient.WithUserAgent("hub/"+version.Version))
	if err != nil {
		return nil, fmt.Errorf("%w: Rekor URL %q: %v", ErrService, r.BaseURL, err)
	}
	params := entries.NewCreateLogEntryParamsWithContext(ctx)
	if d, ok := ctx.Deadline(); ok {
		params.SetTimeout(time.Until(d))
	}
	params.SetProposedEntry(pe)
	resp, err := c.Entries.CreateLogEntry(params)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("uploading to Rekor at %s: %w", r.BaseURL, context.Cause(ctx))
		}
		return nil, fmt.Errorf("%w: uploading to Rekor at %s: %v", ErrService, r.BaseURL, err)
	}
	for _, anon := range resp.Payload {
		v := anon.Verification
		if anon.LogID == nil || anon.LogIndex == nil || anon.IntegratedTime == nil || v == nil || v.InclusionProof == nil ||
			v.InclusionProof.RootHash == nil || v.InclusionProof.LogIndex == nil || v.InclusionProof.TreeSize == nil || v.InclusionProof.Checkpoint == nil {
			return nil, fmt.Errorf("%w: Rekor's entry lacks its log ID, index, time or inclusion proof", ErrService)
		}
		entry, err := tle.GenerateTransparencyLogEntry(anon)
		if err != nil {
			return nil, fmt.Errorf("%w: reading Rekor's entry: %v", ErrService, err)
		}
		return entry, nil
	}
	return nil, errors.Join(ErrService, errors.New("rekor answered without an entry"))
}

// UploadDSSE creates a "dsse" entry for envelope, signed by the key in
// certificate.
func (r *Rekor) UploadDSSE(ctx context.Context, envelope, certificate []byte) (*protorekor.TransparencyLogEntry, error) {
	pe, err := types.NewProposedEntry(ctx, "dsse", "0.0.1", types.ArtifactProperties{
		ArtifactBytes:  envelope,
		PublicKeyBytes: [][]byte{certificate},
		PKIFormat:      string(pki.X509),
	})
	if err != nil {
		return nil, fmt.Errorf("building the Rekor entry: %w", err)
	}
	return r.create(ctx, pe)
}
