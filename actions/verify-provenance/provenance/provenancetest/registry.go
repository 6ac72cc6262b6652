package provenancetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	cstatic "github.com/sigstore/cosign/v2/pkg/oci/static"
	ctypes "github.com/sigstore/cosign/v2/pkg/types"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/ociref"
)

// AttachCosign writes atts to the registry as cosign attest does, with
// cosign's own library: one DSSE layer each in the image
// "<repo>:sha256-<hex>.att" of img, with the certificate, chain, Rekor
// entry and predicate type in the layer's annotations. Attestations
// already there are kept.
func AttachCosign(ctx context.Context, img name.Digest, atts []*Attestation, opts ...remote.Option) error {
	ropt := ociremote.WithRemoteOptions(append([]remote.Option{remote.WithContext(ctx)}, opts...)...)
	se := ociremote.SignedUnknown(img, ropt)
	for _, a := range atts {
		layer, err := cstatic.NewAttestation(a.Envelope,
			cstatic.WithLayerMediaType(ctypes.DssePayloadType),
			cstatic.WithCertChain(a.Certificate, a.Chain),
			cstatic.WithAnnotations(map[string]string{"predicateType": a.PredicateType}),
			cstatic.WithBundle(a.Rekor))
		if err != nil {
			return err
		}
		if se, err = mutate.AttachAttestationToEntity(se, layer); err != nil {
			return err
		}
	}
	return ociremote.WriteAttestations(img.Repository, se, ropt)
}

// AttachReferrer pushes a's Sigstore bundle as an OCI 1.1 artifact whose
// subject is img ([ociref.AttachAnnotated]), as cosign's bundle
// specification (specs/BUNDLE_SPEC.md) describes and
// actions/attest-build-provenance writes it, with the annotations saying
// it holds a DSSE envelope of a's predicate type (none when
// a.PredicateType is empty: readers must then read the statement). It
// returns the artifact's digest reference.
func AttachReferrer(ctx context.Context, img name.Digest, a *Attestation, opts ...remote.Option) (name.Digest, error) {
	d, err := digest.Parse(img.DigestStr())
	if err != nil {
		return name.Digest{}, fmt.Errorf("image %s: %w", img, err)
	}
	ann := map[string]string{"dev.sigstore.bundle.content": "dsse-envelope"}
	if a.PredicateType != "" {
		ann["dev.sigstore.bundle.predicateType"] = a.PredicateType
	}
	return ociref.AttachAnnotated(ctx, ociref.Image{Ref: img, Digest: d}, a.Bundle, ann, opts...)
}

// rawManifest is manifest bytes to put as they are.
type rawManifest struct {
	raw []byte
	mt  types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mt, nil }

// The kinds cosign gives the manifests of an image it saves as an OCI
// layout ("cosign save"), in index.json's "kind" annotation.
const (
	kindImage      = "dev.cosignproject.cosign/image"
	kindImageIndex = "dev.cosignproject.cosign/imageIndex"
	kindAtts       = "dev.cosignproject.cosign/atts"
	kindSigs       = "dev.cosignproject.cosign/sigs"
)

// PushLayout copies an image saved by "cosign save" (an OCI image layout
// whose index.json names the image and its attestation and signature
// images) into the registry byte for byte, so every digest is kept: the
// image is tagged tag in repo, its attestations "sha256-<hex>.att" and its
// signatures "sha256-<hex>.sig". With attestationsOnly, only the
// attestation image is pushed, to the ".att" tag of the image repo:tag
// already names: an attestation copied onto another image. Blobs missing
// from the layout (image layers pruned to keep test data small) are
// skipped; registries do not look for them. It returns the image's digest
// reference.
func PushLayout(ctx context.Context, dir string, repo name.Repository, tag string, attestationsOnly bool, opts ...remote.Option) (name.Digest, error) {
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return name.Digest{}, err
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return name.Digest{}, fmt.Errorf("%s: %w", dir, err)
	}
	var image, atts, sigs *v1.Descriptor
	for i, d := range idx.Manifests {
		switch d.Annotations["kind"] {
		case kindImage, kindImageIndex:
			image = &idx.Manifests[i]
		case kindAtts:
			atts = &idx.Manifests[i]
		case kindSigs:
			sigs = &idx.Manifests[i]
		}
	}
	if image == nil {
		return name.Digest{}, fmt.Errorf("%s: index.json names no image (kind %q or %q)", dir, kindImage, kindImageIndex)
	}
	l := layout{dir: dir, repo: repo, opts: opts}
	target := repo.Tag(tag)
	digest := repo.Digest(image.Digest.String())
	if attestationsOnly {
		d, err := remote.Head(target, opts...)
		if err != nil {
			return name.Digest{}, err
		}
		digest = repo.Digest(d.Digest.String())
	} else if err := l.push(*image, target); err != nil {
		return name.Digest{}, err
	}
	h, err := v1.NewHash(digest.DigestStr())
	if err != nil {
		return name.Digest{}, err
	}
	for _, a := range []struct {
		desc   *v1.Descriptor
		suffix string
	}{{atts, "att"}, {sigs, "sig"}} {
		if a.desc == nil || (attestationsOnly && a.suffix != "att") {
			continue
		}
		if err := l.push(*a.desc, repo.Tag(fmt.Sprintf("%s-%s.%s", h.Algorithm, h.Hex, a.suffix))); err != nil {
			return name.Digest{}, err
		}
	}
	return digest, nil
}

// layout pushes manifests and blobs of an OCI image layout.
type layout struct {
	dir  string
	repo name.Repository
	opts []remote.Option
}

func (l layout) blob(h v1.Hash) ([]byte, error) {
	return os.ReadFile(filepath.Join(l.dir, "blobs", h.Algorithm, h.Hex))
}

// push pushes the manifest d, what it references first, and tags it as
// ref when ref is a tag.
func (l layout) push(d v1.Descriptor, ref name.Reference) error {
	raw, err := l.blob(d.Digest)
	if err != nil {
		return err
	}
	switch {
	case d.MediaType.IsIndex():
		im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		for _, child := range im.Manifests {
			if err := l.push(child, l.repo.Digest(child.Digest.String())); err != nil {
				return err
			}
		}
	case d.MediaType.IsImage():
		m, err := v1.ParseManifest(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		for _, b := range append([]v1.Descriptor{m.Config}, m.Layers...) {
			data, err := l.blob(b.Digest)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			if err := remote.WriteLayer(l.repo, static.NewLayer(data, b.MediaType), l.opts...); err != nil {
				return err
			}
		}
	}
	if err := remote.Put(l.repo.Digest(d.Digest.String()), rawManifest{raw, d.MediaType}, l.opts...); err != nil {
		return err
	}
	if _, ok := ref.(name.Tag); ok {
		return remote.Put(ref, rawManifest{raw, d.MediaType}, l.opts...)
	}
	return nil
}
