package repro

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/fsroot"
)

// maxManifest is the largest manifest or config blob read whole.
const maxManifest = 8 << 20

// errDigestMismatch is wrapped when a blob's content is not what its
// digest names: a tampered layout or a broken registry.
var errDigestMismatch = errors.New("content does not match its digest")

// blobs fetches the manifests and blobs of one image source, each checked
// against its digest.
type blobs interface {
	manifest(ctx context.Context, h v1.Hash) ([]byte, error)
	blob(ctx context.Context, h v1.Hash) (io.ReadCloser, error)
}

// layoutBlobs reads an OCI image layout through its root, so no blob can
// be a link out of the workspace.
type layoutBlobs struct{ root *fsroot.Root }

func blobName(h v1.Hash) (string, error) {
	if h.Algorithm != "sha256" && h.Algorithm != "sha512" {
		return "", fmt.Errorf("digest %s: unsupported algorithm", h)
	}
	if _, err := hex.DecodeString(h.Hex); err != nil {
		return "", fmt.Errorf("digest %s: %w", h, err)
	}
	return "blobs/" + h.Algorithm + "/" + h.Hex, nil
}

func (l layoutBlobs) manifest(ctx context.Context, h v1.Hash) ([]byte, error) {
	n, err := blobName(h)
	if err != nil {
		return nil, err
	}
	b, err := l.root.ReadFile(n, maxManifest)
	if err != nil {
		return nil, err
	}
	return b, checkBytes(h, b)
}

func (l layoutBlobs) blob(ctx context.Context, h v1.Hash) (io.ReadCloser, error) {
	n, err := blobName(h)
	if err != nil {
		return nil, err
	}
	f, _, err := l.root.OpenRegular(n)
	if err != nil {
		return nil, err
	}
	return verifying(f, h)
}

// registryBlobs reads a repository of a registry.
type registryBlobs struct {
	repo name.Repository
	opts []remote.Option
}

func (r registryBlobs) manifest(ctx context.Context, h v1.Hash) ([]byte, error) {
	d, err := remote.Get(r.repo.Digest(h.String()), append(r.opts, remote.WithContext(ctx))...)
	if err != nil {
		return nil, err
	}
	return d.Manifest, checkBytes(h, d.Manifest)
}

func (r registryBlobs) blob(ctx context.Context, h v1.Hash) (io.ReadCloser, error) {
	l, err := remote.Layer(r.repo.Digest(h.String()), append(r.opts, remote.WithContext(ctx))...)
	if err != nil {
		return nil, err
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	return verifying(rc, h)
}

// checkBytes checks b against h.
func checkBytes(h v1.Hash, b []byte) error {
	got, _, err := v1.SHA256(bytes.NewReader(b))
	if h.Algorithm != "sha256" {
		return fmt.Errorf("digest %s: only sha256 blobs are verified", h)
	}
	if err != nil {
		return err
	}
	if got != h {
		return fmt.Errorf("%w: expected %s, got %s", errDigestMismatch, h, got)
	}
	return nil
}

// verifying wraps a blob's reader so that reading it to the end fails
// when the content does not match the digest.
func verifying(rc io.ReadCloser, h v1.Hash) (io.ReadCloser, error) {
	if h.Algorithm != "sha256" {
		rc.Close()
		return nil, fmt.Errorf("digest %s: only sha256 blobs are verified", h)
	}
	return &verifyReader{rc: rc, want: h, h: sha256.New()}, nil
}

type verifyReader struct {
	rc   io.ReadCloser
	want v1.Hash
	h    hash.Hash
}

func (v *verifyReader) Read(p []byte) (int, error) {
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want.Hex {
			return n, fmt.Errorf("blob %s: %w: got sha256:%s", v.want, errDigestMismatch, got)
		}
	}
	return n, err
}

func (v *verifyReader) Close() error { return v.rc.Close() }

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// smallBlob reads a config blob whole, at most maxManifest bytes,
// verified against its digest.
func smallBlob(ctx context.Context, b blobs, h v1.Hash) ([]byte, error) {
	rc, err := b.blob(ctx, h)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxManifest+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxManifest {
		return nil, fmt.Errorf("blob %s: more than %d bytes", h, maxManifest)
	}
	return data, nil
}
