package ociref

import (
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	cbundle "github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// ErrCosignLayer is wrapped when a layer of cosign's tag layout, or the
// bundle it is made from, is malformed.
var ErrCosignLayer = errors.New("malformed cosign signature")

// bundleV01MediaType is the bundle version SigstoreBundle builds for a
// transparency log entry known by its inclusion promise only, which is
// what the tag layout keeps (v0.2 and later require an inclusion proof);
// without a log entry it builds [BundleMediaType], v0.3.
const bundleV01MediaType = "application/vnd.dev.sigstore.bundle+json;version=0.1"

func layerErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCosignLayer}, args...)...)
}

// SigstoreBundle rebuilds the Sigstore bundle a layer of cosign's tag
// layout amounts to, for sigstore-go to verify. The signed content depends
// on the layer's media type:
//
//   - [SimpleSigningMediaType] (a signature, "cosign sign"): a message
//     signature, the [AnnotationSignature] annotation, over the layer's
//     Payload, which the verifier is then given as the artifact;
//   - [DSSEMediaType] (an attestation, "cosign attest"): the DSSE envelope
//     that is the layer's Payload, signature included.
//
// The annotations supply the rest, the same for both: for a certificate
// signature the certificate and the Rekor bundle's log entry (with its
// inclusion promise: a v0.1 bundle, since the tag layout keeps no
// inclusion proof), and for a key signature an unnamed public key, whose
// log entry, if any, is left out (a key is trusted on its own); an
// RFC 3161 timestamp in either case. The chain annotation is not used:
// trust comes from the verifier's trusted root, not the registry. Nothing
// is verified here; a malformed layer wraps [ErrCosignLayer].
func (l CosignLayer) SigstoreBundle() (*bundle.Bundle, error) {
	pb := &protobundle.Bundle{MediaType: BundleMediaType}
	switch l.MediaType {
	case SimpleSigningMediaType:
		ms, err := l.messageSignature()
		if err != nil {
			return nil, err
		}
		pb.Content = &protobundle.Bundle_MessageSignature{MessageSignature: ms}
	case DSSEMediaType:
		env, err := l.dsseEnvelope()
		if err != nil {
			return nil, err
		}
		pb.Content = &protobundle.Bundle_DsseEnvelope{DsseEnvelope: env}
	default:
		return nil, layerErr("expected layer media type %s or %s, got %q", SimpleSigningMediaType, DSSEMediaType, l.MediaType)
	}
	vm, err := l.verificationMaterial()
	if err != nil {
		return nil, err
	}
	pb.VerificationMaterial = vm
	if len(vm.GetTlogEntries()) > 0 {
		pb.MediaType = bundleV01MediaType
	}
	b, err := bundle.NewBundle(pb)
	if err != nil {
		return nil, layerErr("%v", err)
	}
	return b, nil
}

// messageSignature reads a signature layer: the signature annotation over
// the payload.
func (l CosignLayer) messageSignature() (*protocommon.MessageSignature, error) {
	b64, ok := l.Annotations[AnnotationSignature]
	if !ok || b64 == "" {
		return nil, layerErr("the layer has no %s annotation", AnnotationSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, layerErr("annotation %s is not base64: %v", AnnotationSignature, err)
	}
	// Only the signature is checked over the payload; the digest is
	// what a bundle states, and sigstore-go compares log entries by it.
	sum := crypto.SHA256.New()
	sum.Write(l.Payload)
	return &protocommon.MessageSignature{
		MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: sum.Sum(nil)},
		Signature:     sig,
	}, nil
}

// dsseEnvelope reads an attestation layer: the payload is the DSSE
// envelope, as JSON with base64 payload and signatures, of which DSSE
// requires one at least. cosign leaves the signature annotation empty on
// these layers.
func (l CosignLayer) dsseEnvelope() (*protodsse.Envelope, error) {
	var env dsse.Envelope
	if err := json.Unmarshal(l.Payload, &env); err != nil {
		return nil, layerErr("the layer is not a DSSE envelope: %v", err)
	}
	if env.PayloadType == "" || len(env.Signatures) == 0 {
		return nil, layerErr("expected a DSSE envelope with a payload type and a signature, got payload type %q and %d signatures",
			env.PayloadType, len(env.Signatures))
	}
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, layerErr("the DSSE envelope's payload is not base64: %v", err)
	}
	out := &protodsse.Envelope{Payload: payload, PayloadType: env.PayloadType}
	for i, s := range env.Signatures {
		raw, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil {
			return nil, layerErr("the DSSE envelope's signature %d is not base64: %v", i+1, err)
		}
		out.Signatures = append(out.Signatures, &protodsse.Signature{Sig: raw, Keyid: s.KeyID})
	}
	return out, nil
}

// verificationMaterial reads the certificate, Rekor bundle and RFC 3161
// timestamp annotations, which cosign writes alike on both kinds of layer.
func (l CosignLayer) verificationMaterial() (*protobundle.VerificationMaterial, error) {
	vm := &protobundle.VerificationMaterial{
		Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{}},
	}
	if certPEM := l.Annotations[AnnotationCertificate]; certPEM != "" {
		certs, err := cryptoutils.UnmarshalCertificatesFromPEM([]byte(certPEM))
		if err != nil || len(certs) == 0 {
			return nil, layerErr("annotation %s holds no PEM certificate: %v", AnnotationCertificate, err)
		}
		vm.Content = &protobundle.VerificationMaterial_Certificate{
			Certificate: &protocommon.X509Certificate{RawBytes: certs[0].Raw}}
		if rb := l.Annotations[AnnotationBundle]; rb != "" {
			entry, err := tlogEntry(rb)
			if err != nil {
				return nil, err
			}
			vm.TlogEntries = []*protorekor.TransparencyLogEntry{entry}
		}
	}
	if ann := l.Annotations[AnnotationRFC3161Timestamp]; ann != "" {
		var ts cbundle.RFC3161Timestamp
		if err := json.Unmarshal([]byte(ann), &ts); err != nil {
			return nil, layerErr("annotation %s is not an RFC 3161 timestamp bundle: %v", AnnotationRFC3161Timestamp, err)
		}
		if len(ts.SignedRFC3161Timestamp) > 0 {
			vm.TimestampVerificationData = &protobundle.TimestampVerificationData{
				Rfc3161Timestamps: []*protocommon.RFC3161SignedTimestamp{{SignedTimestamp: ts.SignedRFC3161Timestamp}}}
		}
	}
	return vm, nil
}

// tlogEntry reads cosign's Rekor bundle annotation into the log entry a
// Sigstore bundle holds.
func tlogEntry(annotation string) (*protorekor.TransparencyLogEntry, error) {
	var rb cbundle.RekorBundle
	if err := json.Unmarshal([]byte(annotation), &rb); err != nil {
		return nil, layerErr("annotation %s is not a Rekor bundle: %v", AnnotationBundle, err)
	}
	b64, ok := rb.Payload.Body.(string)
	if !ok {
		return nil, layerErr("annotation %s: the entry body is not a base64 string", AnnotationBundle)
	}
	body, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, layerErr("annotation %s: the entry body is not base64: %v", AnnotationBundle, err)
	}
	var kind struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(body, &kind); err != nil || kind.Kind == "" || kind.APIVersion == "" {
		return nil, layerErr("annotation %s: the entry body names no kind and version", AnnotationBundle)
	}
	logID, err := hex.DecodeString(rb.Payload.LogID)
	if err != nil || len(logID) == 0 {
		return nil, layerErr("annotation %s: the log ID %q is not hex", AnnotationBundle, rb.Payload.LogID)
	}
	if len(rb.SignedEntryTimestamp) == 0 {
		return nil, layerErr("annotation %s has no signed entry timestamp", AnnotationBundle)
	}
	return &protorekor.TransparencyLogEntry{
		LogIndex:          rb.Payload.LogIndex,
		LogId:             &protocommon.LogId{KeyId: logID},
		KindVersion:       &protorekor.KindVersion{Kind: kind.Kind, Version: kind.APIVersion},
		IntegratedTime:    rb.Payload.IntegratedTime,
		InclusionPromise:  &protorekor.InclusionPromise{SignedEntryTimestamp: rb.SignedEntryTimestamp},
		CanonicalizedBody: body,
	}, nil
}
