package drill

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/hubgates/hub/actions/verify-provenance/provenance"
	"github.com/hubgates/hub/actions/verify-signature/sigverify"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
)

// Recaller recalls releases: it pulls each by digest, verifies it as
// promotion did, and restores it into a scratch folder.
type Recaller struct {
	Verifier   *sigstore.Verifier
	Root       *root.TrustedRoot
	Identity   *sigstore.Identity
	Provenance provenance.Policy
	// Scratch is the folder (in Workspace) releases are restored into,
	// one OCI layout-like folder of blobs per release.
	Workspace *fsroot.Root
	Scratch   string
	Opts      []remote.Option
	Now       func() time.Time
}

// Recall runs every check of one release and times it. A failed check is
// an outcome; an error is a registry or file system that failed.
func (r *Recaller) Recall(ctx context.Context, ref string) (Release, error) {
	start := r.Now()
	rel := Release{Image: ref}
	check := func(name string, err error, ok string) {
		c := Check{Name: name, Passed: err == nil, Detail: ok}
		if err != nil {
			c.Detail = err.Error()
		}
		rel.Checks = append(rel.Checks, c)
	}
	img, err := ociref.Resolve(ctx, ref, r.Opts...)
	if err != nil {
		// The registry answering that the release is gone is the drill's
		// finding; a registry that does not answer decides nothing.
		var te *transport.Error
		if ctx.Err() != nil || !errors.As(err, &te) {
			return rel, err
		}
		check("digest", err, "")
		rel.RecoveryMillis = r.Now().Sub(start).Milliseconds()
		return rel, nil
	}
	rel.Digest = img.Digest.String()
	o := append([]remote.Option{remote.WithContext(ctx)}, r.Opts...)
	desc, err := remote.Get(img.Ref, o...)
	if err != nil {
		return rel, fmt.Errorf("pulling %s: %w", img, err)
	}
	if got := desc.Digest.String(); got != rel.Digest {
		check("digest", fmt.Errorf("expected %s, got %s", rel.Digest, got), "")
	} else {
		check("digest", nil, rel.Digest)
	}
	outs, err := sigverify.VerifyImages(ctx, []string{img.String()}, sigverify.Policy{Verifier: r.Verifier, Identity: r.Identity}, r.Opts...)
	if err != nil {
		return rel, err
	}
	if o := outs[0]; o.Rule != "" || o.Result == nil {
		check("signature", fmt.Errorf("%s [%s]", strings.Join(o.Problems, "; "), o.Rule), "")
	} else {
		check("signature", nil, "signed by "+o.Result.Identity)
	}
	perr, err := r.provenance(ctx, img)
	if err != nil {
		return rel, err
	}
	check("provenance", perr, "verifies for "+r.Provenance.BuilderID)
	n, err := r.referrers(ctx, img, o)
	check("referrers", err, fmt.Sprintf("%d referrers resolve and match their digests", n))
	blobs, err := r.restore(img, desc, o)
	check("restore", err, fmt.Sprintf("%d blobs restored under %s", blobs, path.Join(r.Scratch, img.Digest.Hex)))
	rel.Recovered = true
	for _, c := range rel.Checks {
		rel.Recovered = rel.Recovered && c.Passed
	}
	rel.RecoveryMillis = r.Now().Sub(start).Milliseconds()
	return rel, ctx.Err()
}

// provenance returns why no provenance verifies (nil when one does); the
// error is a registry failure.
func (r *Recaller) provenance(ctx context.Context, img ociref.Image) (error, error) {
	atts, _, err := provenance.FindAttestations(ctx, img, r.Opts...)
	if err != nil {
		return nil, err
	}
	off, err := provenance.NewOffline(r.Root)
	if err != nil {
		return nil, err
	}
	var why []string
	for _, a := range atts {
		if _, err := off.VerifyImage(a, img.Digest, r.Provenance); err == nil {
			return nil, nil
		} else {
			why = append(why, err.Error())
		}
	}
	if len(atts) == 0 {
		why = append(why, "no SLSA provenance is attached")
	}
	return fmt.Errorf("%s", strings.Join(why, "; ")), nil
}

// referrers reads every referrer's manifest and blobs, which the client
// checks against their digests as it reads them.
func (r *Recaller) referrers(ctx context.Context, img ociref.Image, o []remote.Option) (int, error) {
	idx, err := remote.Referrers(img.Ref, o...)
	if err != nil {
		return 0, fmt.Errorf("listing the referrers: %w", err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return 0, fmt.Errorf("listing the referrers: %w", err)
	}
	for _, d := range im.Manifests {
		art, err := remote.Image(img.Ref.Context().Digest(d.Digest.String()), o...)
		if err != nil {
			return 0, fmt.Errorf("referrer %s: %w", d.Digest, err)
		}
		layers, err := art.Layers()
		if err != nil {
			return 0, fmt.Errorf("referrer %s: %w", d.Digest, err)
		}
		for _, l := range layers {
			if err := drain(l); err != nil {
				return 0, fmt.Errorf("referrer %s: %w", d.Digest, err)
			}
		}
	}
	return len(im.Manifests), nil
}

func drain(l v1.Layer) error {
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(io.Discard, rc)
	return err
}

// restore writes the image's manifests and blobs under the scratch
// folder, each checked against its digest as it is written.
func (r *Recaller) restore(img ociref.Image, desc *remote.Descriptor, o []remote.Option) (int, error) {
	dir := path.Join(r.Scratch, img.Digest.Hex)
	if err := r.Workspace.MkdirAll(path.Join(dir, "blobs"), 0o755); err != nil {
		return 0, err
	}
	var imgs []v1.Image
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return 0, err
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return 0, err
		}
		for _, m := range im.Manifests {
			child, err := idx.Image(m.Digest)
			if err != nil {
				return 0, fmt.Errorf("platform image %s: %w", m.Digest, err)
			}
			imgs = append(imgs, child)
		}
	} else {
		one, err := desc.Image()
		if err != nil {
			return 0, err
		}
		imgs = append(imgs, one)
	}
	n := 0
	if err := r.Workspace.WriteFile(path.Join(dir, "manifest.json"), desc.Manifest, 0o644); err != nil {
		return 0, err
	}
	for _, im := range imgs {
		layers, err := im.Layers()
		if err != nil {
			return n, err
		}
		for _, l := range layers {
			d, err := l.Digest()
			if err != nil {
				return n, err
			}
			if err := r.writeBlob(path.Join(dir, "blobs", d.Hex), d, l); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// writeBlob streams l to name and checks its digest.
func (r *Recaller) writeBlob(name string, want v1.Hash, l v1.Layer) error {
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	h := sha256.New()
	if err := r.Workspace.Stream(name, 0o644, false, func(w io.Writer) error {
		_, err := io.Copy(io.MultiWriter(w, h), rc)
		return err
	}); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want.Hex {
		return fmt.Errorf("blob %s restored with digest sha256:%s", want, got)
	}
	return nil
}
