package sigstore

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
)

// InTotoPayloadType is the DSSE payload type of an in-toto statement.
const InTotoPayloadType = "application/vnd.in-toto+json"

// DSSESigner signs payloads as DSSE envelopes inside Sigstore bundles.
type DSSESigner interface {
	// SignDSSE signs payload, of payloadType, over DSSE's pre-authentication
	// encoding, and returns the bundle holding the envelope.
	SignDSSE(ctx context.Context, payloadType string, payload []byte) (*Signature, error)
}

// SignDSSE signs payload as a DSSE envelope with the key. The bundle
// (v0.3) names the key by its ID and carries no log entry: it verifies
// against the public key alone, with [Verifier.VerifyDigest] for a
// subject of the statement.
func (s *KeySigner) SignDSSE(_ context.Context, payloadType string, payload []byte) (*Signature, error) {
	h := s.hash.New()
	h.Write(dsse.PAE(payloadType, payload))
	sig, err := s.key.Sign(rand.Reader, h.Sum(nil), s.hash)
	if err != nil {
		if s.wrapSignErr != nil {
			return nil, s.wrapSignErr(err)
		}
		return nil, fmt.Errorf("signing: %w", err)
	}
	// No key ID on the signature: DSSE verifiers skip a signature whose
	// key ID differs from their own idea of the key's, and hub's ID (the
	// key's SHA-256) is not theirs; the bundle's hint names the key.
	b := &protobundle.Bundle{
		MediaType: BundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: s.keyID}},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: payloadType,
			Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	}
	out, err := marshalBundle(b)
	if err != nil {
		return nil, err
	}
	return &Signature{Bundle: out, Kind: "key", Identity: s.keyID, LogIndex: -1}, nil
}

// SignDSSE is [KeySigner.SignDSSE] with the KMS key.
func (s *KMSSigner) SignDSSE(ctx context.Context, payloadType string, payload []byte) (*Signature, error) {
	ks, err := s.keySigner(ctx)
	if err != nil {
		return nil, err
	}
	return ks.SignDSSE(ctx, payloadType, payload)
}
