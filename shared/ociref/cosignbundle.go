package ociref

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	cbundle "github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
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

// CosignSignature turns a Sigstore bundle holding a message signature over
// payload into the layer cosign's tag layout stores for it, as "cosign
// sign" writes it (with cosign's own code): the payload, the signature
// (base64) and, for a certificate signature, the certificate and chain
// (PEM) and, when the bundle has a transparency log entry with an
// inclusion promise, the Rekor bundle made of it. chain is the certificate
// authority's chain above the bundle's certificate (intermediates, then
// the root), which a bundle does not carry; it may be empty. A bundle
// whose message digest is not payload's is refused.
func CosignSignature(payload, sigstoreBundle []byte, chain []*x509.Certificate) (CosignLayer, error) {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(sigstoreBundle); err != nil {
		return CosignLayer{}, layerErr("reading the Sigstore bundle: %v", err)
	}
	ms := b.GetMessageSignature()
	if ms == nil {
		return CosignLayer{}, layerErr("the Sigstore bundle holds no message signature")
	}
	if err := checkMessageDigest(ms.GetMessageDigest(), payload); err != nil {
		return CosignLayer{}, err
	}
	var opts []static.Option
	vm := b.GetVerificationMaterial()
	if leaf := leafCertificate(vm); leaf != nil {
		certPEM := cryptoutils.PEMEncode(cryptoutils.CertificatePEMType, leaf)
		var chainPEM []byte
		if len(chain) > 0 {
			var err error
			if chainPEM, err = cryptoutils.MarshalCertificatesToPEM(chain); err != nil {
				return CosignLayer{}, layerErr("encoding the chain: %v", err)
			}
		}
		opts = append(opts, static.WithCertChain(certPEM, chainPEM))
		if entries := vm.GetTlogEntries(); len(entries) > 0 && entries[0].GetInclusionPromise() != nil {
			e := entries[0]
			opts = append(opts, static.WithBundle(&cbundle.RekorBundle{
				SignedEntryTimestamp: e.GetInclusionPromise().GetSignedEntryTimestamp(),
				Payload: cbundle.RekorPayload{
					Body:           base64.StdEncoding.EncodeToString(e.GetCanonicalizedBody()),
					IntegratedTime: e.GetIntegratedTime(),
					LogIndex:       e.GetLogIndex(),
					LogID:          hex.EncodeToString(e.GetLogId().GetKeyId()),
				},
			}))
		}
	}
	sig, err := static.NewSignature(payload, base64.StdEncoding.EncodeToString(ms.GetSignature()), opts...)
	if err != nil {
		return CosignLayer{}, layerErr("%v", err)
	}
	ann, err := sig.Annotations()
	if err != nil {
		return CosignLayer{}, layerErr("%v", err)
	}
	return CosignLayer{MediaType: SimpleSigningMediaType, Payload: payload, Annotations: ann}, nil
}

// leafCertificate returns the DER of the bundle's signing certificate, or
// nil for a key signature.
func leafCertificate(vm *protobundle.VerificationMaterial) []byte {
	if c := vm.GetCertificate(); c != nil {
		return c.GetRawBytes()
	}
	if certs := vm.GetX509CertificateChain().GetCertificates(); len(certs) > 0 {
		return certs[0].GetRawBytes()
	}
	return nil
}

func checkMessageDigest(d *protocommon.HashOutput, payload []byte) error {
	var h crypto.Hash
	switch d.GetAlgorithm() {
	case protocommon.HashAlgorithm_SHA2_256:
		h = crypto.SHA256
	case protocommon.HashAlgorithm_SHA2_384:
		h = crypto.SHA384
	case protocommon.HashAlgorithm_SHA2_512:
		h = crypto.SHA512
	default:
		return layerErr("the Sigstore bundle's message digest algorithm %v is not supported", d.GetAlgorithm())
	}
	w := h.New()
	w.Write(payload)
	if !bytes.Equal(w.Sum(nil), d.GetDigest()) {
		return layerErr("the Sigstore bundle signs other bytes than the payload")
	}
	return nil
}

// SigstoreBundle rebuilds the Sigstore bundle a signature layer of cosign's
// tag layout amounts to, for sigstore-go to verify against the layer's
// Payload: the message signature with, for a certificate signature, the
// certificate and the Rekor bundle's log entry (with its inclusion
// promise: a v0.1 bundle, since the tag layout keeps no inclusion proof),
// and for a key signature an unnamed public key, whose log entry, if any,
// is left out (a key is trusted on its own). The chain annotation is not
// used: trust comes from the verifier's trusted root, not the registry.
// Nothing is verified here; a malformed layer wraps [ErrCosignLayer].
func (l CosignLayer) SigstoreBundle() (*bundle.Bundle, error) {
	if l.MediaType != SimpleSigningMediaType {
		return nil, layerErr("layer media type %q is not %s", l.MediaType, SimpleSigningMediaType)
	}
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
	pb := &protobundle.Bundle{
		MediaType: BundleMediaType,
		Content: &protobundle.Bundle_MessageSignature{MessageSignature: &protocommon.MessageSignature{
			MessageDigest: &protocommon.HashOutput{Algorithm: protocommon.HashAlgorithm_SHA2_256, Digest: sum.Sum(nil)},
			Signature:     sig,
		}},
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{}},
		},
	}
	if certPEM := l.Annotations[AnnotationCertificate]; certPEM != "" {
		certs, err := cryptoutils.UnmarshalCertificatesFromPEM([]byte(certPEM))
		if err != nil || len(certs) == 0 {
			return nil, layerErr("annotation %s holds no PEM certificate: %v", AnnotationCertificate, err)
		}
		pb.VerificationMaterial.Content = &protobundle.VerificationMaterial_Certificate{
			Certificate: &protocommon.X509Certificate{RawBytes: certs[0].Raw}}
		if rb := l.Annotations[AnnotationBundle]; rb != "" {
			entry, err := tlogEntry(rb)
			if err != nil {
				return nil, err
			}
			pb.MediaType = bundleV01MediaType
			pb.VerificationMaterial.TlogEntries = []*protorekor.TransparencyLogEntry{entry}
		}
	}
	b, err := bundle.NewBundle(pb)
	if err != nil {
		return nil, layerErr("%v", err)
	}
	return b, nil
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
