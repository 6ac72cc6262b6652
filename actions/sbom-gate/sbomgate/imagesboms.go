package sbomgate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/gate"
)

// The artifact types of SBOM referrers, in order of preference: SPDX
// (what hub-image and "syft attest" attach first), then CycloneDX.
var sbomArtifactTypes = []string{"application/spdx+json", "application/vnd.cyclonedx+json"}

// errNoImageSBOM is wrapped when a platform image has no SBOM referrer.
var errNoImageSBOM = errors.New("no SBOM referrer")

// ImageSBOMs reads the SBOM of each platform image of the image index ref
// from its OCI referrers: the first referrer whose artifact type is SPDX
// JSON, else CycloneDX JSON, its first layer being the SBOM. Entries
// without a platform, or for "unknown/unknown" (build attestations), are
// not platforms. It returns the SBOMs and what was read, for the evidence.
func ImageSBOMs(ctx context.Context, ref name.Reference, opts ...remote.Option) ([]PlatformSBOM, []evidence.Artifact, error) {
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	idx, err := remote.Index(ref, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the image index %s: %w", ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, nil, fmt.Errorf("reading the image index %s: %w", ref, err)
	}
	var out []PlatformSBOM
	var read []evidence.Artifact
	for _, d := range im.Manifests {
		p := d.Platform
		if p == nil || p.OS == "unknown" || p.Architecture == "unknown" {
			continue
		}
		platform := p.OS + "/" + p.Architecture
		if p.Variant != "" {
			platform += "/" + p.Variant
		}
		sub := ref.Context().Digest(d.Digest.String())
		s, data, err := referrerSBOM(sub, platform, opts)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, PlatformSBOM{Platform: platform, SBOM: s})
		read = append(read, artifact(s.Name, data))
	}
	return out, read, nil
}

// referrerSBOM reads the SBOM referrer of one platform image.
func referrerSBOM(sub name.Digest, platform string, opts []remote.Option) (*SBOM, []byte, error) {
	list, err := remote.Referrers(sub, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("listing the referrers of %s (%s): %w", sub, platform, err)
	}
	lm, err := list.IndexManifest()
	if err != nil {
		return nil, nil, fmt.Errorf("listing the referrers of %s (%s): %w", sub, platform, err)
	}
	var pick *v1.Descriptor
	for _, want := range sbomArtifactTypes {
		for i, r := range lm.Manifests {
			if pick == nil && strings.HasPrefix(r.ArtifactType, want) {
				pick = &lm.Manifests[i]
			}
		}
	}
	if pick == nil {
		return nil, nil, fmt.Errorf("%w: %s (%s) has no referrer of type %s", errNoImageSBOM, sub, platform, strings.Join(sbomArtifactTypes, " or "))
	}
	img, err := remote.Image(sub.Context().Digest(pick.Digest.String()), opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the SBOM referrer %s of %s: %w", pick.Digest, platform, err)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) == 0 {
		return nil, nil, fmt.Errorf("reading the SBOM referrer %s of %s: no layer (%v)", pick.Digest, platform, err)
	}
	rc, err := layers[0].Compressed()
	if err != nil {
		return nil, nil, fmt.Errorf("reading the SBOM referrer %s of %s: %w", pick.Digest, platform, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxSBOMBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the SBOM referrer %s of %s: %w", pick.Digest, platform, err)
	}
	if len(data) > maxSBOMBytes {
		return nil, nil, fmt.Errorf("%w: the SBOM referrer %s of %s is larger than %d bytes", ErrUnknownFormat, pick.Digest, platform, maxSBOMBytes)
	}
	nameIn := sub.Context().String() + "@" + pick.Digest.String() + " (" + platform + ")"
	s, err := ParseSBOM(nameIn, data)
	if err != nil {
		return nil, nil, err
	}
	return s, data, nil
}

// imageError sorts an image read failure: a reference that does not parse,
// an image or referrer that is not there, or an SBOM that does not read is
// the input's fault (exit 2); an unreachable or failing registry leaves the
// run undecided.
func imageError(input, value string, err error) error {
	var te *transport.Error
	switch {
	case errors.As(err, &te) && (te.StatusCode == http.StatusNotFound || te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden):
		return &gate.InputError{Input: input, Value: value, Problem: err.Error(), Err: err}
	case errors.Is(err, errNoImageSBOM), errors.Is(err, ErrUnknownFormat):
		return &gate.InputError{Input: input, Value: value, Problem: err.Error(), Err: err}
	}
	return fmt.Errorf("input %q (%q): %w", input, value, err)
}
