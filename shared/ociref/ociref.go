package ociref

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hubgates/hub/shared/digest"
)

// The media types of the attached artifacts.
const (
	// BundleMediaType is the artifact type and layer media type of an
	// attached Sigstore bundle.
	BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// emptyMediaType is the OCI empty descriptor's media type, the config
	// of an artifact that has none.
	emptyMediaType = "application/vnd.oci.empty.v1+json"
)

// maxBundle bounds a bundle read from a registry.
const maxBundle = 4 << 20

// ErrReference is wrapped when an image reference cannot be parsed.
var ErrReference = errors.New("bad image reference")

// Image is an image resolved to its manifest digest.
type Image struct {
	// Ref is the repository and digest, "registry/repo@sha256:...".
	Ref name.Digest
	// Digest is the manifest's digest.
	Digest digest.Digest
	// Given is the reference as it was given (a tag, or a digest).
	Given string
}

// String returns the digest reference.
func (i Image) String() string { return i.Ref.String() }

// Parse checks ref without contacting any registry.
func Parse(ref string) (name.Reference, error) {
	r, err := name.ParseReference(ref, name.StrictValidation)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrReference, err)
	}
	return r, nil
}

// Resolve looks ref up once and returns its digest. A reference that
// already names a digest is checked to exist; a tag is resolved with a
// HEAD (or GET) of its manifest. opts carry the context, transport and
// credentials.
func Resolve(ctx context.Context, ref string, opts ...remote.Option) (Image, error) {
	r, err := Parse(ref)
	if err != nil {
		return Image{}, err
	}
	desc, err := remote.Head(r, append([]remote.Option{remote.WithContext(ctx)}, opts...)...)
	if err != nil {
		if ctx.Err() != nil {
			return Image{}, fmt.Errorf("resolving %s: %w", ref, context.Cause(ctx))
		}
		return Image{}, fmt.Errorf("resolving %s: %w", ref, err)
	}
	d, err := digest.Parse(desc.Digest.String())
	if err != nil {
		return Image{}, fmt.Errorf("resolving %s: the registry sent digest %q: %w", ref, desc.Digest, err)
	}
	if dr, ok := r.(name.Digest); ok && dr.DigestStr() != d.String() {
		return Image{}, fmt.Errorf("resolving %s: the registry answered for %s", ref, d)
	}
	return Image{Ref: r.Context().Digest(d.String()), Digest: d, Given: ref}, nil
}

// Payload is cosign's simple-signing payload for img: what a signature of
// the image signs, binding the repository to the manifest digest.
func Payload(img Image) []byte {
	var p simpleSigning
	p.Critical.Identity.DockerReference = img.Ref.Context().Name()
	p.Critical.Image.DockerManifestDigest = img.Digest.String()
	p.Critical.Type = simpleSigningType
	b, _ := json.Marshal(p) // plain strings: cannot fail
	return b
}

// ErrPayloadMismatch is wrapped when a simple-signing payload does not name
// the image being verified.
var ErrPayloadMismatch = errors.New("the signature's payload names another image")

// CheckPayload checks that p is a simple-signing payload of cosign's type
// naming img's manifest digest: what a signature found in cosign's tag
// layout must sign, since the layer, not the verifier, supplies the bytes
// there. The docker-reference is not compared, as cosign does not compare
// it either: an image copied to another repository with its signatures
// still verifies, by digest.
func CheckPayload(p []byte, img Image) error {
	var s simpleSigning
	if err := json.Unmarshal(p, &s); err != nil {
		return fmt.Errorf("%w: expected a simple-signing payload, got %d bytes that are not one: %v", ErrPayloadMismatch, len(p), err)
	}
	if s.Critical.Type != simpleSigningType {
		return fmt.Errorf("%w: expected type %q, got %q", ErrPayloadMismatch, simpleSigningType, s.Critical.Type)
	}
	if got := s.Critical.Image.DockerManifestDigest; got != img.Digest.String() {
		return fmt.Errorf("%w: expected digest %q, got %q", ErrPayloadMismatch, img.Digest.String(), got)
	}
	return nil
}

// simpleSigningType is the type of cosign's image signature payloads.
const simpleSigningType = "cosign container image signature"

// simpleSigning is cosign's payload (pkg/cosign/payload), field for field.
type simpleSigning struct {
	Critical struct {
		Identity struct {
			DockerReference string `json:"docker-reference"`
		} `json:"identity"`
		Image struct {
			DockerManifestDigest string `json:"docker-manifest-digest"`
		} `json:"image"`
		Type string `json:"type"`
	} `json:"critical"`
	Optional map[string]any `json:"optional"`
}

// manifest is an OCI image manifest used as an artifact.
type manifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	MediaType     types.MediaType   `json:"mediaType"`
	ArtifactType  string            `json:"artifactType"`
	Config        v1.Descriptor     `json:"config"`
	Layers        []v1.Descriptor   `json:"layers"`
	Subject       *v1.Descriptor    `json:"subject"`
	Annotations   map[string]string `json:"annotations,omitempty"`
}

// rawManifest is a remote.Taggable of manifest bytes.
type rawManifest []byte

func (m rawManifest) RawManifest() ([]byte, error)        { return m, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

// Attach pushes bundle as an artifact whose subject is img, and returns
// the artifact's digest reference. Registries with the referrers API
// index it themselves; for the others the referrers tag
// ("sha256-<hex>") index is updated.
func Attach(ctx context.Context, img Image, bundle []byte, opts ...remote.Option) (name.Digest, error) {
	return AttachAnnotated(ctx, img, bundle, nil, opts...)
}

// AttachAnnotated is [Attach] with annotations on the artifact's
// manifest, which registries copy into the referrers index: those of
// cosign's bundle specification ("dev.sigstore.bundle.content",
// "dev.sigstore.bundle.predicateType") let a reader skip an attestation
// it does not want without fetching it.
func AttachAnnotated(ctx context.Context, img Image, bundle []byte, annotations map[string]string, opts ...remote.Option) (name.Digest, error) {
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	subject, err := remote.Head(img.Ref, opts...)
	if err != nil {
		return name.Digest{}, fmt.Errorf("reading %s: %w", img, err)
	}
	repo := img.Ref.Context()
	cfg := static.NewLayer([]byte("{}"), emptyMediaType)
	layer := static.NewLayer(bundle, BundleMediaType)
	var descs []v1.Descriptor
	for _, l := range []v1.Layer{cfg, layer} {
		if err := remote.WriteLayer(repo, l, opts...); err != nil {
			return name.Digest{}, fmt.Errorf("pushing the bundle to %s: %w", repo, err)
		}
		h, _ := l.Digest()
		size, _ := l.Size()
		mt, _ := l.MediaType()
		descs = append(descs, v1.Descriptor{MediaType: mt, Digest: h, Size: size})
	}
	raw, err := json.Marshal(manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: BundleMediaType,
		Config: descs[0], Layers: descs[1:],
		Subject:     &v1.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size},
		Annotations: annotations})
	if err != nil {
		return name.Digest{}, err
	}
	h, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return name.Digest{}, err
	}
	ref := repo.Digest(h.String())
	if err := remote.Put(ref, rawManifest(raw), opts...); err != nil {
		return name.Digest{}, fmt.Errorf("pushing the bundle to %s: %w", repo, err)
	}
	return ref, nil
}

// Bundles returns the Sigstore bundles attached to img: the layers of
// media type BundleMediaType of its referrers, in the registry's order. A
// referrer that cannot be read (a missing blob, an oversized bundle) does
// not hide the others: the bundles read are returned with an error naming
// each one that was not, so a caller can accept a valid bundle and stay
// undecided when none is.
func Bundles(ctx context.Context, img Image, opts ...remote.Option) ([][]byte, error) {
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	idx, err := remote.Referrers(img.Ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s: %w", img, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("listing the referrers of %s: %w", img, err)
	}
	var out [][]byte
	var total int
	var broken []error
	for _, d := range im.Manifests {
		// The spec lists an artifact under its artifactType; registries
		// that predate the field (go-containerregistry's own among them)
		// list it under its config's media type, the empty one here.
		if d.ArtifactType != BundleMediaType && d.ArtifactType != emptyMediaType {
			continue
		}
		art, err := remote.Image(img.Ref.Context().Digest(d.Digest.String()), opts...)
		if err != nil {
			broken = append(broken, fmt.Errorf("reading referrer %s of %s: %w", d.Digest, img, err))
			continue
		}
		layers, err := art.Layers()
		if err != nil {
			broken = append(broken, fmt.Errorf("reading referrer %s of %s: %w", d.Digest, img, err))
			continue
		}
		for _, l := range layers {
			if mt, err := l.MediaType(); err != nil || mt != BundleMediaType {
				continue
			}
			rc, err := l.Compressed()
			if err != nil {
				broken = append(broken, fmt.Errorf("reading referrer %s of %s: %w", d.Digest, img, err))
				continue
			}
			b, err := io.ReadAll(io.LimitReader(rc, maxBundle+1))
			rc.Close()
			if err != nil {
				broken = append(broken, fmt.Errorf("reading referrer %s of %s: %w", d.Digest, img, err))
				continue
			}
			if len(b) > maxBundle {
				broken = append(broken, fmt.Errorf("referrer %s of %s: bundle larger than %d bytes", d.Digest, img, maxBundle))
				continue
			}
			// The same bound as a cosign tag image's, over all bundles.
			if total += len(b); len(out) == maxCosignLayers || int64(total) > maxCosignTotal {
				return nil, fmt.Errorf("referrers of %s: more than %d bundles or %d bytes", img, maxCosignLayers, maxCosignTotal)
			}
			out = append(out, b)
		}
	}
	return out, errors.Join(broken...)
}
