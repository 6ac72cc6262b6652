package image

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Repository returns the image repository of a gate:
// <registry>/<owner>/hub/<gate>.
func Repository(registry, owner, gate string) string {
	return registry + "/" + owner + "/hub/" + gate
}

// DigestRef returns the reference of a gate's index by digest:
// <registry>/<owner>/hub/<gate>@sha256:<hex>, the form action.yml files use.
func DigestRef(registry, owner, gate string, digest v1.Hash) string {
	return Repository(registry, owner, gate) + "@" + digest.String()
}

// WriteLayout writes idx as the OCI image layout in dir: dir/oci-layout,
// dir/index.json (the index itself, so that layout.ImageIndexFromPath(dir)
// has idx's digest) and the blobs under dir/blobs. dir is created if
// missing; an existing index.json there is replaced, blobs are added.
func WriteLayout(dir string, idx v1.ImageIndex) error {
	if dir == "" {
		return errors.New("write layout: empty directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write layout %s: %w", dir, err)
	}
	if _, err := layout.Write(dir, idx); err != nil {
		return fmt.Errorf("write layout %s: %w", dir, err)
	}
	return nil
}

// Push uploads idx, its manifests and blobs to ref (a tag reference like
// ghcr.io/hubgates/hub/<gate>:<version>, or a digest reference, which must
// then be idx's digest) and returns idx's digest, under which the registry
// also serves it. opts are passed to remote.WriteIndex after
// remote.WithContext(ctx); pass remote.WithAuthFromKeychain or
// remote.WithAuth for credentials.
func Push(ctx context.Context, ref string, idx v1.ImageIndex, opts ...remote.Option) (v1.Hash, error) {
	r, err := name.ParseReference(ref, name.StrictValidation)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("push %q: %w", ref, err)
	}
	digest, err := idx.Digest()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("push %s: %w", ref, err)
	}
	if d, ok := r.(name.Digest); ok && d.DigestStr() != digest.String() {
		return v1.Hash{}, fmt.Errorf("push %s: the index digest is %s", ref, digest)
	}
	all := append([]remote.Option{remote.WithContext(ctx)}, opts...)
	if err := remote.WriteIndex(r, idx, all...); err != nil {
		return v1.Hash{}, fmt.Errorf("push %s: %w", ref, err)
	}
	return digest, nil
}

// PlatformImage returns the image of idx for platform (like "linux/amd64").
func PlatformImage(idx v1.ImageIndex, platform string) (v1.Image, error) {
	spec, err := lookupPlatform(platform)
	if err != nil {
		return nil, err
	}
	want := spec.v1()
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("image for %s: %w", platform, err)
	}
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.Equals(want) {
			img, err := idx.Image(d.Digest)
			if err != nil {
				return nil, fmt.Errorf("image for %s: %w", platform, err)
			}
			return img, nil
		}
	}
	return nil, fmt.Errorf("image for %s: the index has no such platform", platform)
}

// WriteDockerTarball writes the image of idx for one platform to path in the
// format "docker load" reads, tagged tag (e.g.
// ghcr.io/hubgates/hub/<gate>:<version>). The file is written next to path
// under a temporary name and renamed into place, so path is either the old
// file or the complete new one.
func WriteDockerTarball(path string, idx v1.ImageIndex, platform, tag string) (err error) {
	t, err := name.NewTag(tag, name.StrictValidation)
	if err != nil {
		return fmt.Errorf("docker tarball %s: tag %q: %w", path, tag, err)
	}
	img, err := PlatformImage(idx, platform)
	if err != nil {
		return fmt.Errorf("docker tarball %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("docker tarball %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := tarball.Write(t, img, f); err != nil {
		return fmt.Errorf("docker tarball %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("docker tarball %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("docker tarball %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("docker tarball %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("docker tarball %s: %w", path, err)
	}
	return nil
}
