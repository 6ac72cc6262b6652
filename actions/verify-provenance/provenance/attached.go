package provenance

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/ociref"
)

// Where an image's attestations are found.
const (
	// SourceCosign is cosign's tag layout: the image
	// "<repo>:sha256-<hex>.att", whose layers are DSSE envelopes with the
	// certificate, chain and Rekor entry in their annotations (cosign
	// attest, the SLSA GitHub generator's generator_container_slsa3.yml).
	SourceCosign = "cosign"
	// SourceReferrers is the OCI referrers API, or its referrers tag
	// fallback: artifacts whose layer is a Sigstore bundle
	// (actions/attest-build-provenance with push-to-registry, cosign
	// attest --new-bundle-format).
	SourceReferrers = "referrers"
)

// bundleTypePrefix starts every Sigstore bundle media type:
// "application/vnd.dev.sigstore.bundle.v0.3+json" and the older
// "application/vnd.dev.sigstore.bundle+json;version=0.2".
const bundleTypePrefix = "application/vnd.dev.sigstore.bundle"

// emptyMediaType is the OCI empty descriptor's media type. Registries
// that do not read a manifest's artifactType (go-containerregistry's
// own) list a bundle artifact under its config's media type, this one.
const emptyMediaType = "application/vnd.oci.empty.v1+json"

// maxAttestation bounds one referrer's bundle read from a registry, as
// package ociref bounds a layer of cosign's tag layout.
const maxAttestation = 16 << 20

// Attestation is one SLSA provenance attestation found attached to an
// image in its registry.
type Attestation struct {
	// Source is SourceCosign or SourceReferrers.
	Source string `json:"source"`
	// Location is the manifest that holds it: "<repo>:sha256-<hex>.att"
	// or "<repo>@sha256:<referrer>".
	Location string `json:"location"`
	// Digest is the digest of the attestation as stored: the DSSE layer,
	// or the bundle blob.
	Digest digest.Digest `json:"digest"`
	// Bundle is the Sigstore bundle to verify: the stored bundle, or for
	// a cosign layer one assembled from the envelope and its annotations.
	Bundle []byte `json:"-"`
	// Problem, when set, is why no bundle could be assembled (a cosign
	// layer without a certificate); the attestation fails with it.
	Problem error `json:"-"`
}

// FindAttestations returns the SLSA provenance attestations attached to
// img's digest, in both places tools put them ([SourceCosign] first, then
// [SourceReferrers]), and how many attached things were skipped as not SLSA
// provenance (signatures, SBOMs, other predicates). Only img's digest is
// looked up, so attestations of an image a tag named before are never
// found for the image it names now. Whether an attestation is provenance
// is read before it is verified; skipping one can only end in a denial
// for want of provenance, never in a pass. An error is a registry failure.
func FindAttestations(ctx context.Context, img ociref.Image, opts ...remote.Option) ([]Attestation, int, error) {
	atts, skipped, err := cosignAttestations(ctx, img, opts)
	if err != nil {
		return nil, 0, err
	}
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	more, skippedMore, err := referrerAttestations(img, opts)
	if err != nil {
		return nil, 0, err
	}
	return append(atts, more...), skipped + skippedMore, nil
}

// cosignAttestations reads cosign's "sha256-<hex>.att" image of img; a
// missing tag is no attestation.
func cosignAttestations(ctx context.Context, img ociref.Image, opts []remote.Option) ([]Attestation, int, error) {
	atts, err := ociref.ReadCosign(ctx, img, ociref.AttestationSuffix, opts...)
	if err != nil {
		return nil, 0, err
	}
	var out []Attestation
	skipped := 0
	for _, l := range atts.Layers {
		if l.MediaType != ociref.DSSEMediaType || !envelopeIsProvenance(l.Payload) {
			skipped++
			continue
		}
		a := Attestation{Source: SourceCosign, Location: atts.Tag.String(), Digest: digest.FromBytes(digest.SHA256, l.Payload)}
		a.Bundle, a.Problem = cosignBundle(l)
		out = append(out, a)
	}
	return out, skipped, nil
}

// cosignBundle is the Sigstore bundle an attestation layer amounts to
// ([ociref.CosignLayer.SigstoreBundle]). Provenance is signed keylessly
// by its builder, so a layer without a certificate is refused here,
// rather than verified as signed by an unnamed key.
func cosignBundle(l ociref.CosignLayer) ([]byte, error) {
	if l.Annotations[ociref.AnnotationCertificate] == "" {
		return nil, fmt.Errorf("%w: expected a Fulcio certificate in the layer's annotations, got none (a key-signed attestation)", ErrMalformed)
	}
	b, err := l.SigstoreBundle()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	out, err := b.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return out, nil
}

// referrerAttestations reads the Sigstore bundles among img's referrers.
func referrerAttestations(img ociref.Image, opts []remote.Option) ([]Attestation, int, error) {
	idx, err := remote.Referrers(img.Ref, opts...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing the referrers of %s: %w", img, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, 0, fmt.Errorf("listing the referrers of %s: %w", img, err)
	}
	var out []Attestation
	skipped := 0
	for _, d := range im.Manifests {
		if !strings.HasPrefix(d.ArtifactType, bundleTypePrefix) && d.ArtifactType != emptyMediaType {
			skipped++
			continue
		}
		if pt, ok := d.Annotations["dev.sigstore.bundle.predicateType"]; ok && !isSLSA(pt) {
			skipped++
			continue
		}
		ref := img.Ref.Context().Digest(d.Digest.String())
		art, err := remote.Image(ref, opts...)
		if err != nil {
			return nil, 0, fmt.Errorf("reading referrer %s: %w", ref, err)
		}
		m, err := art.Manifest()
		if err != nil {
			return nil, 0, fmt.Errorf("reading referrer %s: %w", ref, err)
		}
		for _, l := range m.Layers {
			if !strings.HasPrefix(string(l.MediaType), bundleTypePrefix) {
				continue
			}
			b, err := readLayer(art, l)
			if err != nil {
				return nil, 0, fmt.Errorf("reading referrer %s: %w", ref, err)
			}
			if !bundleIsProvenance(b) {
				skipped++
				continue
			}
			out = append(out, Attestation{Source: SourceReferrers, Location: ref.String(),
				Digest: digest.FromBytes(digest.SHA256, b), Bundle: b})
		}
	}
	return out, skipped, nil
}

// readLayer reads one layer of an artifact, bounded; go-containerregistry
// checks its digest as it is read.
func readLayer(art v1.Image, d v1.Descriptor) ([]byte, error) {
	if d.Size > maxAttestation {
		return nil, fmt.Errorf("layer %s is larger than %d bytes", d.Digest, maxAttestation)
	}
	l, err := art.LayerByDigest(d.Digest)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxAttestation+1))
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	if len(b) > maxAttestation {
		return nil, fmt.Errorf("layer %s is larger than %d bytes", d.Digest, maxAttestation)
	}
	return b, nil
}

// isSLSA reports whether a predicate type is SLSA provenance.
func isSLSA(predicateType string) bool {
	return predicateType == PredicateSLSAv02 || predicateType == PredicateSLSAv1
}

// envelopeIsProvenance reports whether a DSSE envelope, unverified, may
// hold SLSA provenance; see statementIsProvenance.
func envelopeIsProvenance(envelope []byte) bool {
	var env struct {
		Payload string `json:"payload"`
	}
	if json.Unmarshal(envelope, &env) != nil {
		return true
	}
	return statementIsProvenance(env.Payload)
}

// bundleIsProvenance reports whether a Sigstore bundle, unverified, may
// hold SLSA provenance: a message signature (what the sign gate attaches)
// does not; see statementIsProvenance.
func bundleIsProvenance(bundle []byte) bool {
	var b struct {
		MessageSignature json.RawMessage `json:"messageSignature"`
		DSSE             *struct {
			Payload string `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	if json.Unmarshal(bundle, &b) != nil {
		return true
	}
	if b.DSSE == nil {
		return b.MessageSignature == nil
	}
	return statementIsProvenance(b.DSSE.Payload)
}

// statementIsProvenance reports whether a base64 DSSE payload is anything
// but an in-toto statement of another predicate type. What cannot be read
// is kept, so that it fails verification with its reason rather than go
// unmentioned.
func statementIsProvenance(payloadB64 string) bool {
	payload, err := base64.StdEncoding.DecodeString(payloadB64)
	if err != nil {
		return true
	}
	var st struct {
		PredicateType *string `json:"predicateType"`
	}
	if json.Unmarshal(payload, &st) != nil || st.PredicateType == nil {
		return true
	}
	return isSLSA(*st.PredicateType)
}
