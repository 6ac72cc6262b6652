package sigstoretest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	cbundle "github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/rekor/pkg/pki"
	"github.com/sigstore/rekor/pkg/tle"
	"github.com/sigstore/rekor/pkg/types"
	_ "github.com/sigstore/rekor/pkg/types/dsse/v0.0.1" // registers the dsse entry kind
	"google.golang.org/protobuf/encoding/protojson"
)

// DSSE is a signed DSSE envelope in the forms tools store it.
type DSSE struct {
	// Envelope is the DSSE envelope, as JSON.
	Envelope []byte
	// Bundle is the Sigstore bundle v0.3, as JSON, with the log entry's
	// inclusion promise and proof.
	Bundle []byte
	// Certificate is the signing certificate, and Chain the certificates
	// above it, as PEM.
	Certificate, Chain []byte
	// Rekor is the log entry as cosign records it in a layer annotation.
	Rekor *cbundle.RekorBundle
}

// SignDSSE signs payload as a DSSE envelope of payloadType for run, as
// attestation tools do in a GitHub Actions run: a new key, a certificate
// for it from [Sigstore.Issue], the envelope, and its Rekor "dsse" entry,
// logged without going through the services.
func (s *Sigstore) SignDSSE(run Run, payloadType string, payload []byte) (*DSSE, error) {
	ctx := context.Background()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leaf, err := s.Issue(key.Public(), run)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(dsse.PAE(payloadType, payload))
	sig, err := ecdsa.SignASN1(rand.Reader, key, h[:])
	if err != nil {
		return nil, err
	}
	envelope, err := json.Marshal(dsse.Envelope{PayloadType: payloadType, Payload: base64.StdEncoding.EncodeToString(payload),
		Signatures: []dsse.Signature{{Sig: base64.StdEncoding.EncodeToString(sig)}}})
	if err != nil {
		return nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	var chainPEM []byte
	for _, c := range s.Chain() {
		chainPEM = append(chainPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	pe, err := types.NewProposedEntry(ctx, "dsse", "0.0.1", types.ArtifactProperties{
		ArtifactBytes: envelope, PublicKeyBytes: [][]byte{certPEM}, PKIFormat: string(pki.X509)})
	if err != nil {
		return nil, err
	}
	body, err := canonicalEntry(ctx, pe)
	if err != nil {
		return nil, err
	}
	anon, _, err := s.logEntry(ctx, body)
	if err != nil {
		return nil, err
	}
	entry, err := tle.GenerateTransparencyLogEntry(anon)
	if err != nil {
		return nil, err
	}
	b, err := protojson.Marshal(&protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:     &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: leaf.Raw}},
			TlogEntries: []*protorekor.TransparencyLogEntry{entry},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: payloadType, Signatures: []*protodsse.Signature{{Sig: sig}}}},
	})
	if err != nil {
		return nil, err
	}
	return &DSSE{Envelope: envelope, Bundle: b, Certificate: certPEM, Chain: chainPEM, Rekor: cbundle.EntryToBundle(&anon)}, nil
}

// LogUnchecked logs body, a canonical entry body, as it is, without the
// checks Rekor makes of a proposed entry (that it parses, that its
// signature verifies over what it records), and returns the entry as
// cosign keeps it beside a signature: what a log that misbehaves, or
// whoever holds its key, can produce. Tests use it to forge an entry that
// only a check of what the entry records refuses: its signed entry
// timestamp and inclusion proof verify like any other.
func (s *Sigstore) LogUnchecked(body []byte) (*cbundle.RekorBundle, error) {
	anon, _, err := s.logEntry(context.Background(), body)
	if err != nil {
		return nil, err
	}
	return cbundle.EntryToBundle(&anon), nil
}
