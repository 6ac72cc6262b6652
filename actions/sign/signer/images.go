package signer

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
)

// Layout names where [SignImages] attaches an image's signature.
type Layout string

// The layouts, as the image-layout input names them.
const (
	// LayoutBoth writes cosign's tag layout, then an OCI referrer; a
	// registry that refuses the referrer leaves the cosign tag alone.
	LayoutBoth Layout = "both"
	// LayoutReferrers writes only the OCI referrer (the Sigstore bundle).
	LayoutReferrers Layout = "referrers"
	// LayoutCosignTag writes only cosign's "sha256-<hex>.sig" tag.
	LayoutCosignTag Layout = "cosign-tag"
)

// Layouts lists the layouts in the order the input documents them.
var Layouts = []Layout{LayoutBoth, LayoutReferrers, LayoutCosignTag}

// SignedImage is one image signed.
type SignedImage struct {
	Image ociref.Image
	// Cosign is the digest reference of the signature image written at
	// cosign's tag ("sha256-<hex>.sig"); zero when not written.
	Cosign name.Digest
	// Referrer is the digest reference of the OCI referrer holding the
	// bundle; zero when not written.
	Referrer name.Digest
	// ReferrerRefused is why the registry refused the referrer under
	// [LayoutBoth]; nil otherwise.
	ReferrerRefused error
	Sig             *sigstore.Signature
}

// SignImages resolves each reference to its digest once, signs the
// image's simple-signing payload (which names that digest) and attaches
// the signature to the image by digest in the layouts layout names. It
// stops at the first error. Under [LayoutBoth] a registry that answers
// the referrer's upload with a client error (no OCI 1.1 support) is not
// an error: the image keeps its cosign tag and [SignedImage.ReferrerRefused]
// says why.
func SignImages(ctx context.Context, refs []string, s sigstore.Signer, layout Layout, opts ...remote.Option) ([]SignedImage, error) {
	cosignTag := layout == LayoutBoth || layout == LayoutCosignTag
	referrers := layout == LayoutBoth || layout == LayoutReferrers
	if !cosignTag && !referrers {
		return nil, fmt.Errorf("image layout %q: want one of %v", layout, Layouts)
	}
	var chains *chainRecorder
	if cosignTag {
		s, chains = recordChains(s)
	}
	var out []SignedImage
	for _, ref := range refs {
		img, err := ociref.Resolve(ctx, ref, opts...)
		if err != nil {
			return out, err
		}
		payload := ociref.Payload(img)
		sig, err := s.Sign(ctx, payload)
		if err != nil {
			return out, fmt.Errorf("signing %s: %w", img, err)
		}
		done := SignedImage{Image: img, Sig: sig}
		if cosignTag {
			layer, err := ociref.CosignSignature(payload, sig.Bundle, chains.above(sig.Bundle))
			if err != nil {
				return out, fmt.Errorf("signing %s: %w", img, err)
			}
			if done.Cosign, err = ociref.AttachCosign(ctx, img, layer, opts...); err != nil {
				return out, err
			}
		}
		if referrers {
			done.Referrer, err = ociref.Attach(ctx, img, sig.Bundle, opts...)
			if err != nil && layout == LayoutBoth && refused(ctx, err) {
				done.ReferrerRefused, err = err, nil
			}
			if err != nil {
				return out, err
			}
		}
		out = append(out, done)
	}
	return out, nil
}

// refused reports whether err is the registry declining a manifest with a
// subject the way registries without OCI 1.1 support do (400 invalid
// manifest, 404, 405, 415 unknown media type), rather than a failure to
// reach it or a refusal of the credentials (401, 403), which must not pass
// for missing support.
func refused(ctx context.Context, err error) bool {
	var te *transport.Error
	if ctx.Err() != nil || !errors.As(err, &te) {
		return false
	}
	switch te.StatusCode {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusUnsupportedMediaType:
		return true
	}
	return false
}
