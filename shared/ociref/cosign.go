package ociref

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	ctypes "github.com/sigstore/cosign/v2/pkg/types"
)

// Cosign's tag layout: the names cosign v2 reads and writes.
const (
	// SimpleSigningMediaType is the media type of a cosign signature
	// layer, whose content is the simple-signing payload ([Payload]).
	SimpleSigningMediaType = ctypes.SimpleSigningMediaType
	// DSSEMediaType is the media type of a cosign attestation layer,
	// whose content is a DSSE envelope (of an in-toto statement).
	DSSEMediaType = ctypes.DssePayloadType
	// SignatureSuffix ends the tag of an image's signatures,
	// "sha256-<hex>.sig"; AttestationSuffix that of its attestations.
	SignatureSuffix   = ociremote.SignatureTagSuffix
	AttestationSuffix = ociremote.AttestationTagSuffix
)

// The annotations of a layer of cosign's tag layout.
const (
	// AnnotationSignature is the signature over the layer, base64.
	AnnotationSignature = static.SignatureAnnotationKey
	// AnnotationCertificate is the signing certificate, PEM (keyless).
	AnnotationCertificate = static.CertificateAnnotationKey
	// AnnotationChain is the certificate authority's chain above the
	// certificate, PEM, possibly empty.
	AnnotationChain = static.ChainAnnotationKey
	// AnnotationBundle is the Rekor bundle: the log entry's body, time,
	// index and log ID with its signed entry timestamp, JSON.
	AnnotationBundle = static.BundleAnnotationKey
	// AnnotationRFC3161Timestamp is a timestamp authority's RFC 3161
	// timestamp over the signature, JSON {"SignedRFC3161Timestamp": base64}.
	AnnotationRFC3161Timestamp = static.RFC3161TimestampAnnotationKey
)

// CosignLayer is one entry of cosign's tag layout: a layer of the image at
// a [CosignTag] (what was signed) and the annotations that carry its
// signature, certificate and Rekor bundle.
type CosignLayer struct {
	// MediaType is the layer's media type, [SimpleSigningMediaType] for
	// an image signature, [DSSEMediaType] for an attestation.
	MediaType string
	// Payload is the layer's content.
	Payload []byte
	// Annotations are the layer's annotations as stored.
	Annotations map[string]string
}

// CosignImage is what lies at a [CosignTag].
type CosignImage struct {
	Tag name.Tag
	// Digest is the manifest's digest, "" when the tag does not exist.
	Digest string
	// Layers are the entries in the manifest's order (oldest first, as
	// cosign appends).
	Layers []CosignLayer
}

// CosignTag returns where cosign keeps img's signatures (suffix
// [SignatureSuffix]) or attestations ([AttestationSuffix]):
// "<repository>:sha256-<hex>.<suffix>", in img's own repository.
func CosignTag(img Image, suffix string) name.Tag {
	return img.Ref.Context().Tag(strings.Replace(img.Digest.String(), ":", "-", 1) + "." + suffix)
}

// ReadCosign reads the image at [CosignTag](img, suffix) with cosign's
// own reader, payloads included (each checked against its digest as it is
// read, and refused beyond 16 MiB). A tag that does not exist is no error:
// the image has no entry of that kind. Nothing is verified here.
func ReadCosign(ctx context.Context, img Image, suffix string, opts ...remote.Option) (CosignImage, error) {
	tag := CosignTag(img, suffix)
	digest, layers, err := readCosignImage(ctx, tag, maxCosignLayers, maxCosignTotal, opts...)
	if err != nil {
		return CosignImage{Tag: tag}, fmt.Errorf("reading %s: %w", tag, err)
	}
	return CosignImage{Tag: tag, Digest: digest, Layers: layers}, nil
}

// CosignSignatureArtifactType is the artifact type of a cosign signature
// image attached as an OCI referrer ("COSIGN_EXPERIMENTAL=1 cosign sign
// --registry-referrers-mode=oci-1-1"): the same manifest as at the
// ".sig" tag, one simple-signing layer per signature, with the image as
// its subject.
const CosignSignatureArtifactType = "application/vnd.dev.cosign.artifact.sig.v1+json"

// CosignSignPredicateType is the predicate type of the in-toto statement
// "cosign sign --new-bundle-format" signs: a signature of the image its
// subject names, by digest.
const CosignSignPredicateType = ctypes.CosignSignPredicateType

// CosignReferrer is a cosign signature image found among an image's
// referrers.
type CosignReferrer struct {
	// Ref is the signature image by digest.
	Ref name.Digest
	// Layers are its entries, as at a [CosignTag].
	Layers []CosignLayer
}

// CosignReferrers reads the cosign signature images attached to img as
// OCI referrers (artifact type [CosignSignatureArtifactType]), as
// [ReadCosign] reads the tag, with the same bounds over all of them
// together. A registry without the referrers API is read through the
// referrers tag. As with [Bundles], a referrer that cannot be read does
// not hide the others: they are returned with an error naming it.
// Nothing is verified here.
func CosignReferrers(ctx context.Context, img Image, opts ...remote.Option) ([]CosignReferrer, error) {
	ropts := append([]remote.Option{remote.WithContext(ctx)}, opts...)
	idx, err := remote.Referrers(img.Ref, ropts...)
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s: %w", img, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s: %w", img, err)
	}
	var out []CosignReferrer
	var broken []error
	layers, total := maxCosignLayers, maxCosignTotal
	for _, d := range im.Manifests {
		if d.ArtifactType != CosignSignatureArtifactType {
			continue
		}
		ref := img.Ref.Context().Digest(d.Digest.String())
		_, ls, err := readCosignImage(ctx, ref, layers, total, opts...)
		if err != nil {
			if ctx.Err() != nil {
				return out, fmt.Errorf("reading referrer %s of %s: %w", d.Digest, img, err)
			}
			broken = append(broken, fmt.Errorf("reading referrer %s of %s: %w", d.Digest, img, err))
			continue
		}
		layers -= len(ls)
		for _, l := range ls {
			total -= int64(len(l.Payload))
		}
		out = append(out, CosignReferrer{Ref: ref, Layers: ls})
	}
	return out, errors.Join(broken...)
}

// readCosignImage reads a cosign signature or attestation image: its
// digest ("" with no layers when the reference does not exist) and its
// layers, refusing more than maxLayers layers or maxTotal bytes of them
// before any layer is fetched (the manifest states each layer's size,
// and go-containerregistry holds a layer to it).
func readCosignImage(ctx context.Context, ref name.Reference, maxLayers int, maxTotal int64, opts ...remote.Option) (string, []CosignLayer, error) {
	fail := func(err error) (string, []CosignLayer, error) {
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		return "", nil, err
	}
	ropts := append([]remote.Option{remote.WithContext(ctx)}, opts...)
	sigs, err := ociremote.Signatures(ref, ociremote.WithRemoteOptions(ropts...))
	if err != nil {
		return fail(err)
	}
	list, err := sigs.Get()
	if err != nil {
		return fail(err)
	}
	if len(list) == 0 {
		return "", nil, nil
	}
	h, err := sigs.Digest()
	if err != nil {
		return fail(err)
	}
	if len(list) > maxLayers {
		return fail(fmt.Errorf("expected at most %d layers, got %d", maxLayers, len(list)))
	}
	var total int64
	for _, s := range list {
		size, err := s.Size()
		if err != nil {
			return fail(err)
		}
		if total += size; total > maxTotal {
			return fail(fmt.Errorf("expected at most %d bytes of layers, got more", maxTotal))
		}
	}
	var out []CosignLayer
	for _, s := range list {
		l, err := readLayer(s)
		if err != nil {
			return fail(err)
		}
		out = append(out, l)
	}
	return h.String(), out, nil
}

// maxCosignLayer bounds one layer read from cosign's tag layout: a
// signature's payload is a few hundred bytes, an attestation's a
// statement, which may list many subjects.
const maxCosignLayer = 16 << 20

// maxCosignLayers and maxCosignTotal bound a whole cosign tag image, so
// that one pushed with many large layers cannot exhaust memory before any
// is verified. They are variables for the tests.
var (
	maxCosignLayers       = 256
	maxCosignTotal  int64 = 64 << 20
)

func readLayer(s oci.Signature) (CosignLayer, error) {
	mt, err := s.MediaType()
	if err != nil {
		return CosignLayer{}, err
	}
	size, err := s.Size()
	if err != nil {
		return CosignLayer{}, err
	}
	if size > maxCosignLayer {
		h, _ := s.Digest()
		return CosignLayer{}, fmt.Errorf("layer %s: expected at most %d bytes, got %d", h, maxCosignLayer, size)
	}
	ann, err := s.Annotations()
	if err != nil {
		return CosignLayer{}, err
	}
	p, err := s.Payload()
	if err != nil {
		return CosignLayer{}, err
	}
	return CosignLayer{MediaType: string(mt), Payload: p, Annotations: maps.Clone(ann)}, nil
}

// AttachCosign appends the signature l to img's signature image, the tag
// [CosignTag](img, [SignatureSuffix]), keeping the signatures already
// there, as "cosign sign" does and with cosign's own library (so the
// manifest, config and layer are cosign's). It returns the digest
// reference of the signature image written. The tag is read, then
// rewritten: two signers appending at the same moment can lose one of the
// two signatures, as with cosign.
func AttachCosign(ctx context.Context, img Image, l CosignLayer, opts ...remote.Option) (name.Digest, error) {
	tag := CosignTag(img, SignatureSuffix)
	fail := func(err error) (name.Digest, error) {
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		return name.Digest{}, fmt.Errorf("writing the signature to %s: %w", tag, err)
	}
	b64, ok := l.Annotations[AnnotationSignature]
	if !ok || b64 == "" {
		return fail(errors.New("the layer has no signature annotation"))
	}
	ann := maps.Clone(l.Annotations)
	delete(ann, AnnotationSignature) // static adds it back from b64
	mt := l.MediaType
	if mt == "" {
		mt = SimpleSigningMediaType
	}
	sig, err := static.NewSignature(l.Payload, b64, static.WithAnnotations(ann), static.WithLayerMediaType(types.MediaType(mt)))
	if err != nil {
		return fail(err)
	}
	ropts := append([]remote.Option{remote.WithContext(ctx)}, opts...)
	base, err := ociremote.Signatures(tag, ociremote.WithRemoteOptions(ropts...))
	if err != nil {
		return fail(err)
	}
	sigs, err := mutate.AppendSignatures(base, false, sig)
	if err != nil {
		return fail(err)
	}
	if err := remote.Write(tag, sigs, ropts...); err != nil {
		return fail(err)
	}
	h, err := sigs.Digest()
	if err != nil {
		return fail(err)
	}
	return tag.Context().Digest(h.String()), nil
}
