package sigstoretest

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	"github.com/go-openapi/swag"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/rekor/pkg/types"
	rekorutil "github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/transparency-dev/merkle/rfc6962"
)

// canonicalEntry checks a proposed entry as Rekor does (for a
// hashedrekord or dsse entry, that its signature verifies with its key)
// and returns the canonical body Rekor would log.
func canonicalEntry(ctx context.Context, pe models.ProposedEntry) ([]byte, error) {
	entry, err := types.CreateVersionedEntry(pe)
	if err != nil {
		return nil, err
	}
	return types.CanonicalizeEntry(ctx, entry)
}

// logEntry logs a canonical entry body at the next index and returns the
// entry as Rekor's API answers it, and its UUID. Each entry is the single
// leaf of its own tree, so its inclusion proof is empty and its root is
// its leaf hash, checkpointed and signed like Rekor's.
func (s *Sigstore) logEntry(ctx context.Context, body []byte) (models.LogEntryAnon, string, error) {
	s.mu.Lock()
	index := s.index
	s.index++
	s.mu.Unlock()
	signer, err := signature.LoadECDSASignerVerifier(s.rekorKey, crypto.SHA256)
	if err != nil {
		return models.LogEntryAnon{}, "", err
	}
	now := time.Now().Unix()
	logID := hex.EncodeToString(s.logID)
	b64 := base64.StdEncoding.EncodeToString(body)
	payload, err := json.Marshal(tlog.RekorPayload{Body: b64, IntegratedTime: now, LogIndex: index, LogID: logID})
	if err != nil {
		return models.LogEntryAnon{}, "", err
	}
	canonical, err := jsoncanonicalizer.Transform(payload)
	if err != nil {
		return models.LogEntryAnon{}, "", err
	}
	set, err := signer.SignMessage(strings.NewReader(string(canonical)))
	if err != nil {
		return models.LogEntryAnon{}, "", err
	}
	leaf := rfc6962.DefaultHasher.HashLeaf(body)
	checkpoint, err := rekorutil.CreateAndSignCheckpoint(ctx, "rekor.sigstoretest", 1, 1, leaf, signer)
	if err != nil {
		return models.LogEntryAnon{}, "", err
	}
	return models.LogEntryAnon{
		Body:           b64,
		IntegratedTime: swag.Int64(now),
		LogID:          swag.String(logID),
		LogIndex:       swag.Int64(index),
		Verification: &models.LogEntryAnonVerification{
			SignedEntryTimestamp: set,
			InclusionProof: &models.InclusionProof{
				Checkpoint: swag.String(string(checkpoint)),
				Hashes:     []string{},
				LogIndex:   swag.Int64(0),
				RootHash:   swag.String(hex.EncodeToString(leaf)),
				TreeSize:   swag.Int64(1),
			},
		},
	}, hex.EncodeToString(leaf), nil
}
