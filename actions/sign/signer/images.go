package signer

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
)

// SignedImage is one image signed.
type SignedImage struct {
	Image ociref.Image
	// Attached is the digest reference of the artifact holding the bundle.
	Attached name.Digest
	Sig      *sigstore.Signature
}

// SignImages resolves each reference to its digest once, signs the
// image's simple-signing payload (which names that digest) and attaches
// the bundle to the image by digest. It stops at the first error.
func SignImages(ctx context.Context, refs []string, s sigstore.Signer, opts ...remote.Option) ([]SignedImage, error) {
	var out []SignedImage
	for _, ref := range refs {
		img, err := ociref.Resolve(ctx, ref, opts...)
		if err != nil {
			return out, err
		}
		sig, err := s.Sign(ctx, ociref.Payload(img))
		if err != nil {
			return out, fmt.Errorf("signing %s: %w", img, err)
		}
		att, err := ociref.Attach(ctx, img, sig.Bundle, opts...)
		if err != nil {
			return out, err
		}
		out = append(out, SignedImage{Image: img, Attached: att, Sig: sig})
	}
	return out, nil
}
