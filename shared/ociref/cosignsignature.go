package ociref

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"

	cbundle "github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

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
