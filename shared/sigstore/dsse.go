package sigstore

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
)

// InTotoPayloadType is the DSSE payload type of an in-toto statement.
const InTotoPayloadType = "application/vnd.in-toto+json"

// DSSESigner signs a payload (an in-toto statement) as a DSSE envelope
// inside a Sigstore bundle: what attestations are. [KeySigner],
// [KMSSigner] and [KeylessSigner] all are one.
type DSSESigner interface {
	// SignDSSE signs payload of payloadType (the signature covers the
	// DSSE pre-authentication encoding of both) and returns the bundle.
	SignDSSE(ctx context.Context, payloadType string, payload []byte) (*Signature, error)
}

// SignDSSE signs payload as a DSSE envelope with the key. Like a keyed
// message signature, the bundle names the key by its ID and carries no
// transparency log entry.
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
	// The key's ID goes in the bundle's hint, not the envelope's keyid,
	// which DSSE verifiers compare with their own naming of the key.
	b := dsseBundle(payloadType, payload, sig)
	b.VerificationMaterial = &protobundle.VerificationMaterial{
		Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: s.keyID}},
	}
	out, err := marshalBundle(b)
	if err != nil {
		return nil, err
	}
	return &Signature{Bundle: out, Kind: "key", Identity: s.keyID, LogIndex: -1}, nil
}

// SignDSSE signs payload as a DSSE envelope with the KMS key.
func (s *KMSSigner) SignDSSE(ctx context.Context, payloadType string, payload []byte) (*Signature, error) {
	type result struct {
		sig *Signature
		err error
	}
	done := make(chan result, 1)
	go func() {
		ks, err := s.keySigner(ctx)
		if err != nil {
			done <- result{nil, err}
			return
		}
		sig, err := ks.SignDSSE(ctx, payloadType, payload)
		done <- result{sig, err}
	}()
	select {
	case r := <-done:
		return r.sig, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %s did not answer: %w", ErrKMS, s.ref, context.Cause(ctx))
	}
}

// DSSELog is a transparency log that records DSSE envelopes (Rekor's
// "dsse" entry kind), which keyless DSSE signing needs.
type DSSELog interface {
	// UploadDSSE records envelope (JSON), signed by the key in
	// certificate (PEM), and returns the log entry as it goes into a
	// bundle.
	UploadDSSE(ctx context.Context, envelope, certificate []byte) (*protorekor.TransparencyLogEntry, error)
}

// SignDSSE signs payload as a DSSE envelope keyless: a fresh key
// certified for the token's identity, the envelope recorded in the
// transparency log as a "dsse" entry, as attestation tools do.
func (s *KeylessSigner) SignDSSE(ctx context.Context, payloadType string, payload []byte) (*Signature, error) {
	if s.Tokens == nil || s.CA == nil || s.Log == nil {
		return nil, errors.New("keyless signing needs a token source, a certificate authority and a transparency log")
	}
	log, ok := s.Log.(DSSELog)
	if !ok {
		return nil, fmt.Errorf("the transparency log %T cannot record DSSE envelopes", s.Log)
	}
	token, err := s.Tokens.Token(ctx)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating the signing key: %w", err)
	}
	chain, err := s.CA.Certificate(ctx, key, token)
	if err != nil {
		return nil, err
	}
	leaf := chain[0]
	h := crypto.SHA256.New()
	h.Write(dsse.PAE(payloadType, payload))
	sig, err := key.Sign(rand.Reader, h.Sum(nil), crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	env, err := envelopeJSON(payloadType, payload, sig)
	if err != nil {
		return nil, err
	}
	entry, err := log.UploadDSSE(ctx, env, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}))
	if err != nil {
		return nil, err
	}
	b := dsseBundle(payloadType, payload, sig)
	b.VerificationMaterial = &protobundle.VerificationMaterial{
		Content:     &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: leaf.Raw}},
		TlogEntries: []*protorekor.TransparencyLogEntry{entry},
	}
	out, err := marshalBundle(b)
	if err != nil {
		return nil, err
	}
	identity, issuer := certIdentity(leaf)
	return &Signature{Bundle: out, Kind: "keyless", Identity: identity, Issuer: issuer, LogIndex: entry.GetLogIndex()}, nil
}

func dsseBundle(payloadType string, payload, sig []byte) *protobundle.Bundle {
	return &protobundle.Bundle{
		MediaType: BundleMediaType,
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: payloadType, Signatures: []*protodsse.Signature{{Sig: sig}}}},
	}
}

// envelopeJSON is the DSSE envelope as Rekor's dsse entry takes it.
func envelopeJSON(payloadType string, payload, sig []byte) ([]byte, error) {
	b, err := json.Marshal(dsse.Envelope{PayloadType: payloadType, Payload: base64.StdEncoding.EncodeToString(payload),
		Signatures: []dsse.Signature{{Sig: base64.StdEncoding.EncodeToString(sig)}}})
	if err != nil {
		return nil, fmt.Errorf("encoding the envelope: %w", err)
	}
	return b, nil
}
