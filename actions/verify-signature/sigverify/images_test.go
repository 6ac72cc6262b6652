package sigverify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
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

// registryHost starts an in-process registry, wrapped by wrap when given,
// and returns its host:port.
func registryHost(t *testing.T, referrers bool, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// summarized runs verify-signature like execute, and returns its step
// summary after its stdout and stderr.
func summarized(t *testing.T, ws string, args ...string) (gate.ExitCode, string) {
	t.Helper()
	sum := filepath.Join(t.TempDir(), "summary.md")
	code, stdout, stderr := execute(t, ws, map[string]string{"GITHUB_STEP_SUMMARY": sum}, args...)
	b, _ := os.ReadFile(sum)
	return code, stdout + stderr + string(b)
}

// In each layout, on registries with and without the referrers API: the
// signature verifies and the summary says where it was found; another
// identity is refused; a re-tagged image has no signature; the old
// signature copied onto the new image does not sign it.
func TestImagesKeyless(t *testing.T) {
	for _, layout := range []signer.Layout{signer.LayoutReferrers, signer.LayoutCosignTag} {
		for _, referrers := range []bool{true, false} {
			host := registryHost(t, referrers, nil)
			ref := host + "/acme/app:v1"
			pushImage(t, ref)

			s, err := sigstoretest.New()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			signed, err := signer.SignImages(context.Background(), []string{ref}, s.Signer(), layout)
			if err != nil {
				t.Fatal(err)
			}
			old := signed[0].Image
			ws := tree(t, nil)
			js, _ := s.TrustedRootJSON()
			write(t, filepath.Join(ws, "root.json"), js)
			run := func(args ...string) (gate.ExitCode, string) {
				return summarized(t, ws, append([]string{"--trusted-root=root.json"}, args...)...)
			}
			where := map[signer.Layout]string{
				signer.LayoutReferrers: "| OCI referrer (bundle 1 of 1) |",
				signer.LayoutCosignTag: "| cosign tag `" + strings.Replace(old.Digest.String(), ":", "-", 1) + ".sig` (layer 1 of 1) |",
			}[layout]
			name := fmt.Sprintf("%s, referrers API %v", layout, referrers)

			code, out := run("--images="+ref, "--certificate-identity="+identity, "--github-ref=refs/heads/main")
			if code != gate.Passed || !strings.Contains(out, "digests="+old.String()+"\n") || !strings.Contains(out, "1 image verified (keyless)") || !strings.Contains(out, where) {
				t.Fatalf("%s: exit %d, want 0 and %q\n%s", name, code, where, out)
			}
			code, out = run("--images="+ref, "--certificate-identity=https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1")
			if code != gate.Denied || !strings.Contains(out, "[signer-untrusted]") {
				t.Errorf("%s: wrong identity: exit %d\n%s", name, code, out)
			}

			// Re-tagged: v1 now names another image. Its digest has no signature.
			pushImage(t, ref)
			code, out = run("--images="+ref, "--certificate-identity="+identity)
			if code != gate.Denied || !strings.Contains(out, "no signature is attached to "+host+"/acme/app@sha256:") || strings.Contains(out, old.Digest.String()) {
				t.Errorf("%s: re-tagged: exit %d\n%s", name, code, out)
			}
			// The old signature copied onto the new image does not sign it.
			now, err := ociref.Resolve(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			want := "[signature-invalid]"
			if layout == signer.LayoutReferrers {
				if _, err := ociref.Attach(context.Background(), now, signed[0].Sig.Bundle); err != nil {
					t.Fatal(err)
				}
			} else {
				copyImage(t, ociref.CosignTag(old, ociref.SignatureSuffix), ociref.CosignTag(now, ociref.SignatureSuffix))
				want = `the signature's payload names another image: expected digest "` + now.Digest.String() + `", got "` + old.Digest.String() + `" [signature-invalid]`
			}
			code, out = run("--images="+ref, "--certificate-identity="+identity)
			if code != gate.Denied || !strings.Contains(out, want) {
				t.Errorf("%s: copied signature: exit %d, want 1 and %q\n%s", name, code, want, out)
			}
			// The signed image, named by its digest, still verifies.
			if code, out = run("--images="+old.String(), "--certificate-identity="+identity); code != gate.Passed {
				t.Errorf("%s: by digest: exit %d\n%s", name, code, out)
			}
		}
	}
}

// copyImage copies the image at from to the tag to.
func copyImage(t *testing.T, from, to name.Tag) {
	t.Helper()
	img, err := remote.Image(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(to, img); err != nil {
		t.Fatal(err)
	}
}

// editCosignTag rewrites the manifest at tag with edit applied to the
// annotations of its first layer.
func editCosignTag(t *testing.T, tag name.Tag, edit func(map[string]string)) {
	t.Helper()
	desc, err := remote.Get(tag)
	if err != nil {
		t.Fatal(err)
	}
	var m v1.Manifest
	if err := json.Unmarshal(desc.Manifest, &m); err != nil {
		t.Fatal(err)
	}
	edit(m.Layers[0].Annotations)
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(tag, rawManifest{raw, desc.MediaType}); err != nil {
		t.Fatal(err)
	}
}

type rawManifest struct {
	raw []byte
	mt  types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mt, nil }

// A cosign tag edited in the registry fails: each annotation that carries
// trust, tampered with, breaks the verification.
func TestImagesCosignTagTampered(t *testing.T) {
	host := registryHost(t, true, nil)
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other, err := signer.SignImages(context.Background(), []string{pushed(t, host+"/acme/other:v1")}, s.Signer(), signer.LayoutCosignTag)
	if err != nil {
		t.Fatal(err)
	}
	otherLayers, err := ociref.ReadCosign(context.Background(), other[0].Image, ociref.SignatureSuffix)
	if err != nil {
		t.Fatal(err)
	}
	otherAnn := otherLayers.Layers[0].Annotations
	ws := tree(t, nil)
	js, _ := s.TrustedRootJSON()
	write(t, filepath.Join(ws, "root.json"), js)
	for what, edit := range map[string]func(map[string]string){
		"signature flipped": func(a map[string]string) {
			sig, _ := base64.StdEncoding.DecodeString(a[ociref.AnnotationSignature])
			sig[len(sig)-2] ^= 1
			a[ociref.AnnotationSignature] = base64.StdEncoding.EncodeToString(sig)
		},
		"signature of another image": func(a map[string]string) { a[ociref.AnnotationSignature] = otherAnn[ociref.AnnotationSignature] },
		"certificate of another run": func(a map[string]string) { a[ociref.AnnotationCertificate] = otherAnn[ociref.AnnotationCertificate] },
		"rekor bundle removed":       func(a map[string]string) { delete(a, ociref.AnnotationBundle) },
		"signature not base64":       func(a map[string]string) { a[ociref.AnnotationSignature] = "%" },
	} {
		t.Run(what, func(t *testing.T) {
			signed, err := signer.SignImages(context.Background(), []string{pushed(t, host+"/acme/app:v1")}, s.Signer(), signer.LayoutCosignTag)
			if err != nil {
				t.Fatal(err)
			}
			img := signed[0].Image
			args := []string{"--images=" + img.String(), "--certificate-identity=" + identity, "--trusted-root=root.json"}
			if code, out := summarized(t, ws, args...); code != gate.Passed {
				t.Fatalf("untouched: exit %d\n%s", code, out)
			}
			editCosignTag(t, ociref.CosignTag(img, ociref.SignatureSuffix), edit)
			code, out := summarized(t, ws, args...)
			if code != gate.Denied || !strings.Contains(out, "cosign tag `"+strings.Replace(img.Digest.String(), ":", "-", 1)+".sig` (layer 1 of 1): ") || !strings.Contains(out, "[signature-invalid]") {
				t.Errorf("exit %d, want 1 and signature-invalid\n%s", code, out)
			}
		})
	}
}

// pushed pushes a random image to ref and returns it by digest.
func pushed(t *testing.T, ref string) string {
	t.Helper()
	pushImage(t, ref)
	img, err := ociref.Resolve(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return img.String()
}

// One valid signature passes, whichever layout holds it: a referrer by an
// untrusted workflow does not stop the cosign tag's signature by the
// trusted one, and the summary names the cosign tag.
func TestImagesOneValidSignaturePasses(t *testing.T) {
	host := registryHost(t, true, nil)
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ref := pushed(t, host+"/acme/app:v1")
	s.SetWorkflow("hubgates/fixture/.github/workflows/pr.yml@refs/pull/3/merge")
	if _, err := signer.SignImages(context.Background(), []string{ref}, s.Signer(), signer.LayoutReferrers); err != nil {
		t.Fatal(err)
	}
	ws := tree(t, nil)
	js, _ := s.TrustedRootJSON()
	write(t, filepath.Join(ws, "root.json"), js)
	args := []string{"--images=" + ref, "--certificate-identity=" + identity, "--trusted-root=root.json"}
	code, out := summarized(t, ws, args...)
	if code != gate.Denied || !strings.Contains(out, "OCI referrer (bundle 1 of 1): ") || !strings.Contains(out, "[signer-untrusted]") {
		t.Fatalf("only the pull request's signature: exit %d\n%s", code, out)
	}
	s.SetWorkflow("hubgates/fixture/.github/workflows/ci.yml@refs/heads/main")
	if _, err := signer.SignImages(context.Background(), []string{ref}, s.Signer(), signer.LayoutCosignTag); err != nil {
		t.Fatal(err)
	}
	code, out = summarized(t, ws, args...)
	if code != gate.Passed || !strings.Contains(out, "| cosign tag `sha256-") {
		t.Errorf("with the cosign tag: exit %d\n%s", code, out)
	}
}

// A key signature in the cosign tag verifies with public-key; another key
// is refused.
func TestImagesCosignTagKey(t *testing.T) {
	host := registryHost(t, true, nil)
	ref := pushed(t, host+"/acme/app:v1")
	ks, pub := keyPair(t)
	if _, err := signer.SignImages(context.Background(), []string{ref}, ks, signer.LayoutCosignTag); err != nil {
		t.Fatal(err)
	}
	_, otherPub := keyPair(t)
	ws := tree(t, nil)
	if code, out := summarized(t, ws, "--images="+ref, "--public-key="+pub); code != gate.Passed || !strings.Contains(out, "1 image verified (key)") {
		t.Errorf("right key: exit %d\n%s", code, out)
	}
	if code, out := summarized(t, ws, "--images="+ref, "--public-key="+otherPub); code != gate.Denied || !strings.Contains(out, "[signer-untrusted]") {
		t.Errorf("other key: exit %d\n%s", code, out)
	}
}

// deniedReferrers refuses the referrers API to the client, as a registry
// does to a token without the scope (a server error would do the same,
// after retries).
func deniedReferrers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/referrers/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// A layout the registry fails to list: a valid signature in the other
// layout still passes; without one the run is undecided, not denied.
func TestImagesUnreadableLayout(t *testing.T) {
	host := registryHost(t, true, deniedReferrers)
	ws := tree(t, map[string]string{})
	pemKey, pub := keyPair(t)
	signedRef := pushed(t, host+"/acme/app:v1")
	if _, err := signer.SignImages(context.Background(), []string{signedRef}, pemKey, signer.LayoutCosignTag); err != nil {
		t.Fatal(err)
	}
	if code, out := summarized(t, ws, "--images="+signedRef, "--public-key="+pub); code != gate.Passed {
		t.Errorf("signed in the cosign tag: exit %d\n%s", code, out)
	}
	unsigned := pushed(t, host+"/acme/app:v2")
	if code, out := summarized(t, ws, "--images="+unsigned, "--public-key="+pub); code != gate.Undecided || !strings.Contains(out, "listing the referrers of "+unsigned) {
		t.Errorf("unsigned: exit %d, want 3\n%s", code, out)
	}
}

// keyPair returns a key signer and its public key (PEM).
func keyPair(t *testing.T) (sigstore.Signer, string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigstore.NewKeySigner(k)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := sigstore.MarshalPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return s, string(pub)
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
