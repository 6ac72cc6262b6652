package promotegate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/hubgates/hub/shared/ociref"
)

// cosignSuffixes are the tags cosign attaches to an image's digest:
// signatures, attestations and SBOMs.
var cosignSuffixes = []string{"sig", "att", "sbom"}

// Attached is what hangs off an image: its OCI referrers and cosign tags,
// each by digest.
type Attached struct {
	// Referrers are the referrers' manifest digests.
	Referrers []string
	// Tags maps each cosign tag present ("sha256-<hex>.sig") to the
	// digest it names.
	Tags map[string]string
}

// Count is how many things are attached.
func (a Attached) Count() int { return len(a.Referrers) + len(a.Tags) }

// ListAttached lists what is attached to img's digest in its repository.
func ListAttached(ctx context.Context, img ociref.Image, opts ...remote.Option) (Attached, error) {
	return listAttached(img.Ref.Context(), img.Digest.String(), append([]remote.Option{remote.WithContext(ctx)}, opts...))
}

func listAttached(repo name.Repository, dgst string, o []remote.Option) (Attached, error) {
	out := Attached{Tags: map[string]string{}}
	idx, err := remote.Referrers(repo.Digest(dgst), o...)
	if err != nil {
		return out, fmt.Errorf("listing the referrers of %s@%s: %w", repo, dgst, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return out, fmt.Errorf("listing the referrers of %s@%s: %w", repo, dgst, err)
	}
	for _, d := range im.Manifests {
		out.Referrers = append(out.Referrers, d.Digest.String())
	}
	slices.Sort(out.Referrers)
	for _, suffix := range cosignSuffixes {
		tag := repo.Tag(strings.Replace(dgst, ":", "-", 1) + "." + suffix)
		desc, err := remote.Head(tag, o...)
		if notFound(err) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("reading %s: %w", tag, err)
		}
		out.Tags[tag.TagStr()] = desc.Digest.String()
	}
	return out, nil
}

// notFound reports whether err is the registry saying the tag does not
// exist.
func notFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}

// Copy copies img (an index with its platform images, or one image) by
// digest into dst, then everything attached to it: each OCI referrer
// (by digest, its subject making the target registry index it, or the
// referrers tag on registries without the API) and each cosign tag.
func Copy(ctx context.Context, img ociref.Image, src Attached, dst name.Repository, opts ...remote.Option) error {
	o := append([]remote.Option{remote.WithContext(ctx)}, opts...)
	if err := copyManifest(img.Ref, dst.Digest(img.Digest.String()), o); err != nil {
		return err
	}
	for _, r := range src.Referrers {
		if err := copyManifest(img.Ref.Context().Digest(r), dst.Digest(r), o); err != nil {
			return err
		}
	}
	for tag := range src.Tags {
		if err := copyManifest(img.Ref.Context().Tag(tag), dst.Tag(tag), o); err != nil {
			return err
		}
	}
	return nil
}

// copyManifest copies the manifest at from, and its blobs, to to.
func copyManifest(from, to name.Reference, o []remote.Option) error {
	desc, err := remote.Get(from, o...)
	if err != nil {
		return fmt.Errorf("reading %s: %w", from, err)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return fmt.Errorf("reading %s: %w", from, err)
		}
		if err := remote.WriteIndex(to, idx, o...); err != nil {
			return fmt.Errorf("copying %s to %s: %w", from, to, err)
		}
		return nil
	}
	img, err := desc.Image()
	if err != nil {
		return fmt.Errorf("reading %s: %w", from, err)
	}
	if err := remote.Write(to, img, o...); err != nil {
		return fmt.Errorf("copying %s to %s: %w", from, to, err)
	}
	return nil
}

// Missing compares what the copy holds with the source: the image's
// digest must resolve in dst, and every referrer and cosign tag of the
// source be there naming the same digest. It returns what is missing.
func Missing(ctx context.Context, img ociref.Image, src Attached, dst name.Repository, opts ...remote.Option) ([]string, error) {
	o := append([]remote.Option{remote.WithContext(ctx)}, opts...)
	var missing []string
	desc, err := remote.Head(dst.Digest(img.Digest.String()), o...)
	switch {
	case notFound(err):
		return []string{"the image " + img.Digest.String()}, nil
	case err != nil:
		return nil, fmt.Errorf("reading the copy %s@%s: %w", dst, img.Digest, err)
	case desc.Digest.String() != img.Digest.String():
		return []string{fmt.Sprintf("the image: expected digest %s, got %s", img.Digest, desc.Digest)}, nil
	}
	got, err := listAttached(dst, img.Digest.String(), o)
	if err != nil {
		return nil, err
	}
	for _, r := range src.Referrers {
		if !slices.Contains(got.Referrers, r) {
			missing = append(missing, "referrer "+r)
		}
	}
	for tag, d := range src.Tags {
		if got.Tags[tag] != d {
			missing = append(missing, fmt.Sprintf("cosign tag %s (expected %s, got %q)", tag, d, got.Tags[tag]))
		}
	}
	slices.Sort(missing)
	return missing, nil
}
