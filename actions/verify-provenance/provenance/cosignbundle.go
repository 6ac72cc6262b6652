package provenance

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/sigstore/cosign/v2/pkg/oci"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// bundleV01 is the bundle version whose log entries may carry a signed
// entry timestamp without an inclusion proof, which is all cosign's
// annotations record.
const bundleV01 = "application/vnd.dev.sigstore.bundle+json;version=0.1"

// envelopeJSON is a DSSE envelope as cosign stores it in a layer.
type envelopeJSON struct {
	PayloadType string `json:"payloadType"`
	Payload     string `json:"payload"`
	Signatures  []struct {
		KeyID string `json:"keyid"`
		Sig   string `json:"sig"`
	} `json:"signatures"`
}

// cosignBundle assembles a Sigstore bundle from one layer of cosign's
// attestation image: the layer is the DSSE envelope, and its annotations
// hold the signing certificate, the chain above it, the Rekor entry with
// its signed entry timestamp and an optional RFC 3161 timestamp. Nothing
// is verified here: the bundle is then verified like any other, so a
// missing or altered piece fails there.
func cosignBundle(envelope []byte, sig oci.Signature) ([]byte, error) {
	var env envelopeJSON
	if err := json.Unmarshal(envelope, &env); err != nil {
		return nil, fmt.Errorf("%w: the layer is not a DSSE envelope: %v", ErrMalformed, err)
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: DSSE payload: %v", ErrMalformed, err)
	}
	pe := &protodsse.Envelope{Payload: payload, PayloadType: env.PayloadType}
	for _, s := range env.Signatures {
		raw, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil {
			return nil, fmt.Errorf("%w: DSSE signature: %v", ErrMalformed, err)
		}
		pe.Signatures = append(pe.Signatures, &protodsse.Signature{Sig: raw, Keyid: s.KeyID})
	}

	cert, err := sig.Cert()
	if err != nil {
		return nil, fmt.Errorf("%w: the certificate annotation: %v", ErrMalformed, err)
	}
	if cert == nil {
		return nil, fmt.Errorf("%w: expected a Fulcio certificate in the layer's annotations, got none (a key-signed attestation)", ErrMalformed)
	}
	chain, err := sig.Chain()
	if err != nil {
		return nil, fmt.Errorf("%w: the chain annotation: %v", ErrMalformed, err)
	}
	certs := []*protocommon.X509Certificate{{RawBytes: cert.Raw}}
	for _, c := range chain {
		if !c.Equal(cert) {
			certs = append(certs, &protocommon.X509Certificate{RawBytes: c.Raw})
		}
	}
	vm := &protobundle.VerificationMaterial{
		Content: &protobundle.VerificationMaterial_X509CertificateChain{
			X509CertificateChain: &protocommon.X509CertificateChain{Certificates: certs}},
	}

	rb, err := sig.Bundle()
	if err != nil {
		return nil, fmt.Errorf("%w: the Rekor bundle annotation: %v", ErrMalformed, err)
	}
	if rb != nil {
		entry, err := tlogEntry(rb.SignedEntryTimestamp, rb.Payload.Body, rb.Payload.IntegratedTime, rb.Payload.LogIndex, rb.Payload.LogID)
		if err != nil {
			return nil, err
		}
		vm.TlogEntries = []*protorekor.TransparencyLogEntry{entry}
	}
	ts, err := sig.RFC3161Timestamp()
	if err != nil {
		return nil, fmt.Errorf("%w: the RFC 3161 timestamp annotation: %v", ErrMalformed, err)
	}
	if ts != nil && len(ts.SignedRFC3161Timestamp) > 0 {
		vm.TimestampVerificationData = &protobundle.TimestampVerificationData{
			Rfc3161Timestamps: []*protocommon.RFC3161SignedTimestamp{{SignedTimestamp: ts.SignedRFC3161Timestamp}}}
	}

	b := &protobundle.Bundle{MediaType: bundleV01, VerificationMaterial: vm,
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: pe}}
	out, err := protojson.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return out, nil
}

// tlogEntry is the bundle form of cosign's Rekor bundle annotation: the
// entry's canonical body, where it sits in the log and the log's signed
// entry timestamp over them.
func tlogEntry(set []byte, body any, integratedTime, logIndex int64, logID string) (*protorekor.TransparencyLogEntry, error) {
	b64, ok := body.(string)
	if !ok {
		return nil, fmt.Errorf("%w: expected the Rekor entry body as base64 text, got %T", ErrMalformed, body)
	}
	canonical, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%w: the Rekor entry body: %v", ErrMalformed, err)
	}
	var kind struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(canonical, &kind); err != nil || kind.Kind == "" || kind.APIVersion == "" {
		return nil, fmt.Errorf("%w: expected a Rekor entry body naming its kind and version, got %.80q", ErrMalformed, canonical)
	}
	id, err := hex.DecodeString(logID)
	if err != nil || len(id) == 0 {
		return nil, fmt.Errorf("%w: expected the Rekor log ID in hex, got %q", ErrMalformed, logID)
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("%w: the Rekor bundle has no signed entry timestamp", ErrMalformed)
	}
	return &protorekor.TransparencyLogEntry{
		LogIndex:          logIndex,
		LogId:             &protocommon.LogId{KeyId: id},
		KindVersion:       &protorekor.KindVersion{Kind: kind.Kind, Version: kind.APIVersion},
		IntegratedTime:    integratedTime,
		InclusionPromise:  &protorekor.InclusionPromise{SignedEntryTimestamp: set},
		CanonicalizedBody: canonical,
	}, nil
}
