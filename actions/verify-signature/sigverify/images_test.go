package sigverify_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// pushImage writes a random image to ref.
func pushImage(t *testing.T, ref string) {
	t.Helper()
	img, err := random.Image(128, 1)
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
}

func TestImagesKeyless(t *testing.T) {
	for _, referrers := range []bool{true, false} {
		srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0))))
		defer srv.Close()
		host := strings.TrimPrefix(srv.URL, "http://")
		ref := host + "/acme/app:v1"
		pushImage(t, ref)

		s, err := sigstoretest.New()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		signed, err := signer.SignImages(context.Background(), []string{ref}, s.Signer())
		if err != nil {
			t.Fatal(err)
		}
		old := signed[0].Image
		ws := tree(t, nil)
		js, _ := s.TrustedRootJSON()
		write(t, filepath.Join(ws, "root.json"), js)
		run := func(args ...string) (gate.ExitCode, string) {
			code, stdout, stderr := execute(t, ws, nil, append([]string{"--trusted-root=root.json"}, args...)...)
			return code, stdout + stderr
		}

		code, out := run("--images="+ref, "--certificate-identity="+identity, "--github-ref=refs/heads/main")
		if code != gate.Passed || !strings.Contains(out, "digests="+old.String()+"\n") || !strings.Contains(out, "1 image verified (keyless)") {
			t.Fatalf("referrers %v: exit %d\n%s", referrers, code, out)
		}
		code, out = run("--images="+ref, "--certificate-identity=https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1")
		if code != gate.Denied || !strings.Contains(out, "[signer-untrusted]") {
			t.Errorf("wrong identity: exit %d\n%s", code, out)
		}

		// Re-tagged: v1 now names another image. Its digest has no bundle.
		pushImage(t, ref)
		code, out = run("--images="+ref, "--certificate-identity="+identity)
		if code != gate.Denied || !strings.Contains(out, "no Sigstore bundle is attached to "+host+"/acme/app@sha256:") || strings.Contains(out, old.Digest.String()) {
			t.Errorf("re-tagged: exit %d\n%s", code, out)
		}
		// The old signature copied onto the new image does not sign it.
		now, err := ociref.Resolve(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ociref.Attach(context.Background(), now, signed[0].Sig.Bundle); err != nil {
			t.Fatal(err)
		}
		code, out = run("--images="+ref, "--certificate-identity="+identity)
		if code != gate.Denied || !strings.Contains(out, "[signature-invalid]") {
			t.Errorf("copied signature: exit %d\n%s", code, out)
		}
		// The signed image, named by its digest, still verifies.
		if code, out = run("--images="+old.String(), "--certificate-identity="+identity); code != gate.Passed {
			t.Errorf("by digest: exit %d\n%s", code, out)
		}
	}
}

// A registry that never answers: the run ends at the timeout, undecided,
// naming the image. Without the timeout this test hangs.
func TestHungRegistryTimesOut(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hung.Close()
	defer close(release)
	ws := tree(t, nil)
	write(t, filepath.Join(ws, "root.json"), mustRoot(t))
	ref := strings.TrimPrefix(hung.URL, "http://") + "/acme/app:v1"
	code, stdout, stderr := execute(t, ws, nil, "--images="+ref, "--certificate-identity="+identity, "--trusted-root=root.json", "--timeout=300ms")
	want := "resolving " + ref + ": verification did not finish within the timeout of 300ms"
	if code != gate.Undecided || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, want 3 and %q\n%s%s", code, want, stdout, stderr)
	}
}

func TestImageBadInputs(t *testing.T) {
	ws := tree(t, map[string]string{"a.bin": "a"})
	for args, want := range map[string]string{
		"--images=Not A Ref":                   `input "images": bad image reference`,
		"--images=ghcr.io/acme/app@sha256:abc": `input "images": bad image reference`,
		"--bundle=a.bin.sigstore.json":         `input "bundle": names the bundle of one file, but artifacts is empty`,
	} {
		all := []string{args, "--certificate-identity=" + identity}
		if !strings.HasPrefix(args, "--images") {
			all = append(all, "--images=ghcr.io/acme/app:v1")
		}
		code, _, stderr := execute(t, ws, nil, all...)
		if code != gate.BadInput || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", args, code, stderr, want)
		}
	}
}
