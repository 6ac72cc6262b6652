package ociref_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/ociref"
)

// newRegistry starts an in-process registry for the test and returns its
// host.
func newRegistry(t *testing.T, opts ...registry.Option) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(append([]registry.Option{registry.Logger(log.New(io.Discard, "", 0))}, opts...)...))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// push writes a random image to ref and returns its digest.
func push(t *testing.T, ref string) v1.Hash {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	h, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAttachAndFind(t *testing.T) {
	for _, referrers := range []bool{true, false} {
		host := newRegistry(t, registry.WithReferrersSupport(referrers))
		ctx := context.Background()
		first := push(t, host+"/app:v1")
		img, err := ociref.Resolve(ctx, host+"/app:v1")
		if err != nil {
			t.Fatal(err)
		}
		if img.Digest.String() != first.String() || img.Ref.String() != host+"/app@"+first.String() {
			t.Fatalf("resolved %+v, want %s", img, first)
		}
		byDigest, err := ociref.Resolve(ctx, img.Ref.String())
		if err != nil || byDigest.Ref != img.Ref {
			t.Errorf("by digest: %+v, %v", byDigest, err)
		}
		if _, err := ociref.Attach(ctx, img, []byte(`{"bundle":1}`)); err != nil {
			t.Fatalf("referrers %v: %v", referrers, err)
		}
		ann := map[string]string{"dev.sigstore.bundle.content": "dsse-envelope"}
		annotated, err := ociref.AttachAnnotated(ctx, img, []byte(`{"bundle":2}`), ann)
		if err != nil {
			t.Fatalf("referrers %v: %v", referrers, err)
		}
		got, err := ociref.Bundles(ctx, img)
		var texts []string
		for _, b := range got {
			texts = append(texts, string(b))
		}
		slices.Sort(texts)
		if err != nil || !slices.Equal(texts, []string{`{"bundle":1}`, `{"bundle":2}`}) {
			t.Errorf("referrers %v: bundles %q, %v", referrers, got, err)
		}
		// The annotations reach the referrers index, where readers filter.
		idx, err := remote.Referrers(img.Ref)
		if err != nil {
			t.Fatal(err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, d := range im.Manifests {
			if d.Digest.String() == annotated.DigestStr() && maps.Equal(d.Annotations, ann) {
				found++
			} else if len(d.Annotations) != 0 {
				t.Errorf("referrers %v: %s has annotations %v", referrers, d.Digest, d.Annotations)
			}
		}
		if found != 1 || len(im.Manifests) != 2 {
			t.Errorf("referrers %v: index %+v", referrers, im.Manifests)
		}
		// Re-tagged: v1 now names another image, which has no bundle.
		second := push(t, host+"/app:v1")
		again, err := ociref.Resolve(ctx, host+"/app:v1")
		if err != nil || again.Digest.String() != second.String() || again.Digest == img.Digest {
			t.Fatalf("re-tagged: %+v, %v", again, err)
		}
		if got, err := ociref.Bundles(ctx, again); err != nil || len(got) != 0 {
			t.Errorf("re-tagged image has bundles %q, %v", got, err)
		}
	}
}

func TestPayload(t *testing.T) {
	d, _ := name.NewDigest("ghcr.io/acme/app@sha256:" + strings.Repeat("ab", 32))
	img := ociref.Image{Ref: d}
	var err error
	img.Digest, err = digest.Parse(d.DigestStr())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"critical":{"identity":{"docker-reference":"ghcr.io/acme/app"},"image":{"docker-manifest-digest":"sha256:` + strings.Repeat("ab", 32) + `"},"type":"cosign container image signature"},"optional":null}`
	if got := string(ociref.Payload(img)); got != want {
		t.Errorf("payload\n%s\nwant\n%s", got, want)
	}
	var v map[string]any
	if err := json.Unmarshal(ociref.Payload(img), &v); err != nil {
		t.Error(err)
	}
}

func TestResolveRefusesAndFails(t *testing.T) {
	for _, bad := range []string{"", "UPPER/case", "app@sha256:short", "a b"} {
		if _, err := ociref.Resolve(context.Background(), bad); !errors.Is(err, ociref.ErrReference) {
			t.Errorf("%q: got %v, want ErrReference", bad, err)
		}
	}
	host := newRegistry(t)
	if _, err := ociref.Resolve(context.Background(), host+"/app:missing"); err == nil || errors.Is(err, ociref.ErrReference) {
		t.Errorf("missing tag: %v", err)
	}
}

// A registry that never answers: Resolve returns when the context ends.
// Without the context this test hangs.
func TestResolveHungRegistry(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hung.Close()
	defer close(release)
	cause := errors.New("the test's deadline")
	ctx, cancel := context.WithTimeoutCause(context.Background(), 200*time.Millisecond, cause)
	defer cancel()
	_, err := ociref.Resolve(ctx, strings.TrimPrefix(hung.URL, "http://")+"/app:v1")
	if !errors.Is(err, cause) {
		t.Errorf("got %v, want the context's cause", err)
	}
}

// A referrer that cannot be read does not hide the bundles of the others:
// they are returned, with an error naming the broken one.
func TestBundlesKeepsReadableReferrers(t *testing.T) {
	host := newRegistry(t)
	ctx := context.Background()
	img := resolvedImage(t, host, "v1")
	if _, err := ociref.Attach(ctx, img, bytes.Repeat([]byte("x"), 5<<20)); err != nil {
		t.Fatal(err)
	}
	if _, err := ociref.Attach(ctx, img, []byte(`{"bundle":2}`)); err != nil {
		t.Fatal(err)
	}
	got, err := ociref.Bundles(ctx, img)
	if len(got) != 1 || string(got[0]) != `{"bundle":2}` {
		t.Errorf("bundles %q, want the readable one", got)
	}
	if err == nil || !strings.Contains(err.Error(), "bundle larger than") {
		t.Errorf("error %v, want the oversized referrer named", err)
	}
}
