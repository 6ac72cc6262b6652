package image

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// emptyConfigType is the OCI 1.1 media type of an artifact's empty config
// ("{}").
const emptyConfigType = "application/vnd.oci.empty.v1+json"

// Referrer is an OCI 1.1 artifact manifest about another manifest (its
// subject): here, one SBOM of one platform image.
type Referrer struct {
	// Manifest is the artifact manifest as stored, Digest its digest.
	Manifest []byte
	Digest   v1.Hash
	// ArtifactType is the SBOM's media type; Title the file name it
	// carries in its layer's org.opencontainers.image.title annotation.
	ArtifactType string
	Title        string
	// Subject is the platform image manifest the SBOM describes.
	Subject v1.Descriptor
	// blobs are the config ("{}") and the SBOM, by digest.
	blobs []v1.Layer
}

// artifactManifest is an OCI image manifest with the 1.1 fields.
type artifactManifest struct {
	SchemaVersion int64           `json:"schemaVersion"`
	MediaType     types.MediaType `json:"mediaType"`
	ArtifactType  string          `json:"artifactType"`
	Config        v1.Descriptor   `json:"config"`
	Layers        []v1.Descriptor `json:"layers"`
	Subject       *v1.Descriptor  `json:"subject"`
}

// SBOMReferrers makes the OCI referrers of idx's SBOMs: for each platform
// image of the index, one artifact manifest per format whose artifactType
// is the SBOM's media type, whose one layer is the SBOM, and whose subject
// is the platform's image manifest. They are what the referrers API (and
// "oras discover") lists for that image, and where a release finds each
// platform's SBOM to run sbom-gate parity. sboms is keyed by platform
// ("linux/arm64") and must cover every platform of idx.
func SBOMReferrers(idx v1.ImageIndex, gate string, sboms map[string]SBOMs) ([]Referrer, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("sbom referrers of %s: %w", gate, err)
	}
	var out []Referrer
	for _, d := range im.Manifests {
		if d.Platform == nil {
			continue
		}
		p := d.Platform.OS + "/" + d.Platform.Architecture
		if d.Platform.Variant != "" {
			p += "/" + d.Platform.Variant
		}
		s, ok := sboms[p]
		if !ok {
			return nil, fmt.Errorf("sbom referrers of %s: no SBOMs for platform %s", gate, p)
		}
		for _, f := range []struct {
			mediaType, ext string
			data           []byte
		}{{SPDXMediaType, "spdx.json", s.SPDX}, {CycloneDXMediaType, "cdx.json", s.CycloneDX}} {
			title := gate + "." + strings.ReplaceAll(p, "/", "-") + "." + f.ext
			r, err := newReferrer(f.mediaType, title, f.data, v1.Descriptor{MediaType: d.MediaType, Size: d.Size, Digest: d.Digest})
			if err != nil {
				return nil, fmt.Errorf("sbom referrers of %s: %w", gate, err)
			}
			out = append(out, r)
		}
	}
	return out, nil
}

func newReferrer(mediaType, title string, data []byte, subject v1.Descriptor) (Referrer, error) {
	r := Referrer{ArtifactType: mediaType, Title: title, Subject: subject,
		blobs: []v1.Layer{static.NewLayer([]byte("{}"), emptyConfigType), static.NewLayer(data, types.MediaType(mediaType))}}
	var descs []v1.Descriptor
	for _, l := range r.blobs {
		h, err := l.Digest()
		if err != nil {
			return Referrer{}, err
		}
		size, _ := l.Size()
		mt, _ := l.MediaType()
		descs = append(descs, v1.Descriptor{MediaType: mt, Digest: h, Size: size})
	}
	descs[1].Annotations = map[string]string{"org.opencontainers.image.title": title}
	m, err := json.Marshal(artifactManifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: mediaType,
		Config: descs[0], Layers: descs[1:], Subject: &subject})
	if err != nil {
		return Referrer{}, err
	}
	h, _, err := v1.SHA256(bytes.NewReader(m))
	if err != nil {
		return Referrer{}, err
	}
	r.Manifest, r.Digest = m, h
	return r, nil
}

// descriptor is the referrer's descriptor, as an index lists it.
func (r Referrer) descriptor() v1.Descriptor {
	return v1.Descriptor{MediaType: types.OCIManifestSchema1, Size: int64(len(r.Manifest)), Digest: r.Digest, ArtifactType: r.ArtifactType,
		Annotations: map[string]string{"org.opencontainers.image.title": r.Title}}
}

// WriteLayoutReferrers adds referrers to the OCI layout in dir (written by
// WriteLayout): the image layout has no referrers API, so their manifests
// are listed in its index.json beside the index, each naming its subject,
// as ORAS lays referrers out.
func WriteLayoutReferrers(dir string, refs []Referrer) error {
	p, err := layout.FromPath(dir)
	if err != nil {
		return fmt.Errorf("write referrers to layout %s: %w", dir, err)
	}
	for _, r := range refs {
		for _, l := range r.blobs {
			h, _ := l.Digest()
			rc, err := l.Compressed()
			if err != nil {
				return err
			}
			if err := p.WriteBlob(h, rc); err != nil {
				return fmt.Errorf("write referrers to layout %s: %w", dir, err)
			}
		}
		if err := p.WriteBlob(r.Digest, io.NopCloser(bytes.NewReader(r.Manifest))); err != nil {
			return fmt.Errorf("write referrers to layout %s: %w", dir, err)
		}
		if err := p.AppendDescriptor(r.descriptor()); err != nil {
			return fmt.Errorf("write referrers to layout %s: %w", dir, err)
		}
	}
	return nil
}

// rawManifest is a remote.Taggable of manifest bytes.
type rawManifest []byte

// RawManifest returns the manifest bytes.
func (m rawManifest) RawManifest() ([]byte, error) { return m, nil }

// MediaType is the OCI image manifest's.
func (m rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

// PushReferrers uploads referrers to repo ("ghcr.io/hubgates/hub/<gate>")
// by digest. A registry with the referrers API indexes them by their
// subject; for one without, go-containerregistry updates the
// sha256-<digest> fallback tag.
func PushReferrers(ctx context.Context, repo string, refs []Referrer, opts ...remote.Option) error {
	r, err := name.NewRepository(repo, name.StrictValidation)
	if err != nil {
		return fmt.Errorf("push referrers: %w", err)
	}
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	for _, ref := range refs {
		for _, l := range ref.blobs {
			if err := remote.WriteLayer(r, l, opts...); err != nil {
				return fmt.Errorf("push referrer %s to %s: %w", ref.Title, repo, err)
			}
		}
		if err := remote.Put(r.Digest(ref.Digest.String()), rawManifest(ref.Manifest), opts...); err != nil {
			return fmt.Errorf("push referrer %s to %s: %w", ref.Title, repo, err)
		}
	}
	return nil
}
