package promotegate

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/ociref"
)

// An index with its platform images, a referrer and a cosign tag is
// copied by digest to another repository (on registries with and without
// the referrers API); Missing finds nothing missing, and once a referrer
// is deleted from the copy, names it.
func TestCopyIndexWithReferrers(t *testing.T) {
	for _, referrers := range []bool{true, false} {
		srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0))))
		defer srv.Close()
		host := strings.TrimPrefix(srv.URL, "http://")
		ctx := context.Background()
		idx, err := random.Index(128, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		tag, _ := name.NewTag(host + "/acme/app:v1")
		if err := remote.WriteIndex(tag, idx); err != nil {
			t.Fatal(err)
		}
		img, err := ociref.Resolve(ctx, tag.String())
		if err != nil {
			t.Fatal(err)
		}
		ref, err := ociref.Attach(ctx, img, []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := random.Image(64, 1)
		if err := remote.Write(ociref.CosignTag(img, "sig"), sig); err != nil {
			t.Fatal(err)
		}
		src, err := ListAttached(ctx, img)
		if err != nil {
			t.Fatal(err)
		}
		if len(src.Referrers) != 1 || len(src.Tags) != 1 {
			t.Fatalf("referrers API %v: attached %+v", referrers, src)
		}
		dst, _ := name.NewRepository(host + "/acme/prod/app")
		if err := Copy(ctx, img, src, dst); err != nil {
			t.Fatal(err)
		}
		missing, err := Missing(ctx, img, src, dst)
		if err != nil || len(missing) != 0 {
			t.Fatalf("referrers API %v: missing %v, %v", referrers, missing, err)
		}
		// The platform images came along.
		copied, err := remote.Index(dst.Digest(img.Digest.String()))
		if err != nil {
			t.Fatal(err)
		}
		im, _ := copied.IndexManifest()
		for _, m := range im.Manifests {
			if _, err := remote.Image(dst.Digest(m.Digest.String())); err != nil {
				t.Errorf("platform image %s not copied: %v", m.Digest, err)
			}
		}
		if !referrers {
			continue // the fallback tag index keeps a deleted referrer listed
		}
		if err := remote.Delete(dst.Digest(ref.DigestStr())); err != nil {
			t.Fatal(err)
		}
		missing, err = Missing(ctx, img, src, dst)
		if err != nil || len(missing) != 1 || !strings.Contains(missing[0], ref.DigestStr()) {
			t.Errorf("after deleting the copied referrer: missing %v, %v", missing, err)
		}
	}
}
