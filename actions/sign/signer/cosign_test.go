package signer_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"github.com/sigstore/sigstore-go/pkg/root"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/tuf"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

const fixtureIdentity = "https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/heads/main"

// summarized runs the sign gate like execute, and returns its step
// summary after its stdout.
func summarized(t *testing.T, ws string, env map[string]string, args ...string) (gate.ExitCode, string, string) {
	t.Helper()
	sum := filepath.Join(t.TempDir(), "summary.md")
	all := map[string]string{"GITHUB_STEP_SUMMARY": sum}
	maps.Copy(all, env)
	code, stdout, stderr := execute(t, ws, all, args...)
	b, _ := os.ReadFile(sum)
	return code, stdout + string(b), stderr
}

// newRegistry starts an in-process registry, wrapped by wrap when given,
// and returns its host:port.
func newRegistry(t *testing.T, referrers bool, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// pushRandom writes a random image to ref and returns it resolved.
func pushRandom(t *testing.T, ref string) ociref.Image {
	t.Helper()
	img, err := random.Image(128, 1)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	h, _ := img.Digest()
	resolved, err := ociref.Resolve(context.Background(), tag.Context().Digest(h.String()).String())
	if err != nil {
		t.Fatal(err)
	}
	return resolved
}

// cosignKeyless are the options "cosign verify" runs with against the
// virtual Sigstore: its Fulcio root (intermediates from the chain
// annotation), its Rekor key for the bundle annotation, offline, and the
// identity pinned. The virtual Fulcio issues no SCT.
func cosignKeyless(t *testing.T, s *sigstoretest.Sigstore, subject string) *cosign.CheckOpts {
	t.Helper()
	tr, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	for _, ca := range tr.FulcioCertificateAuthorities() {
		roots.AddCert(ca.(*root.FulcioCertificateAuthority).Root)
	}
	rekor := cosign.NewTrustedTransparencyLogPubKeys()
	for _, l := range tr.RekorLogs() {
		pemKey, err := cryptoutils.MarshalPublicKeyToPEM(l.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		if err := rekor.AddTransparencyLogPubKey(pemKey, tuf.Active); err != nil {
			t.Fatal(err)
		}
	}
	return &cosign.CheckOpts{
		RootCerts:     roots,
		RekorPubKeys:  &rekor,
		Identities:    []cosign.Identity{{Issuer: sigstoretest.ActionsIssuer, Subject: subject}},
		IgnoreSCT:     true,
		Offline:       true,
		ClaimVerifier: cosign.SimpleClaimVerifier,
	}
}

// The sign gate's cosign tag is read by cosign's own verification: both
// signatures of two runs (the second appends), their certificates
// chaining through the chain annotation, their Rekor bundles checked
// offline, their payloads naming the digest. Moved onto another image,
// the same signature image fails cosign's claim check.
func TestCosignVerifiesTheTagLayout(t *testing.T) {
	host := newRegistry(t, true, nil)
	img := pushRandom(t, host+"/acme/app:v1")
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws := tree(t, nil)
	env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": s.TokenURL(), "ACTIONS_ID_TOKEN_REQUEST_TOKEN": sigstoretest.RequestToken}
	for range 2 {
		code, stdout, stderr := summarized(t, ws, env, "--images="+host+"/acme/app:v1", "--fulcio-url="+s.Fulcio.URL, "--rekor-url="+s.Rekor.URL)
		if code != gate.Passed {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		for _, want := range []string{
			"image-signatures=" + img.String() + " cosign-tag " + host + "/acme/app@sha256:",
			"\n" + img.String() + " referrers " + host + "/acme/app@sha256:",
			"| cosign tag `" + strings.Replace(img.Digest.String(), ":", "-", 1) + ".sig` (`sha256:",
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout)
			}
		}
	}

	ctx := context.Background()
	co := cosignKeyless(t, s, fixtureIdentity)
	sigs, bundled, err := cosign.VerifyImageSignatures(ctx, img.Ref, co)
	if err != nil || !bundled || len(sigs) != 2 {
		t.Fatalf("cosign verify: %d signatures, bundle verified %v, %v", len(sigs), bundled, err)
	}
	for _, sig := range sigs {
		mt, _ := sig.MediaType()
		chain, err := sig.Chain()
		if mt != ociref.SimpleSigningMediaType || err != nil || len(chain) != 2 {
			t.Errorf("layer %s with a chain of %d certificates, %v", mt, len(chain), err)
		}
	}
	// Two referrers too, one per run.
	if bundles, err := ociref.Bundles(ctx, img); err != nil || len(bundles) != 2 {
		t.Errorf("%d referrer bundles, %v", len(bundles), err)
	}

	wrong := cosignKeyless(t, s, "https://github.com/hubgates/fixture/.github/workflows/release.yml@refs/heads/main")
	if _, _, err := cosign.VerifyImageSignatures(ctx, img.Ref, wrong); err == nil {
		t.Error("cosign accepted another identity")
	}

	// The signature image copied to another image's tag: the payload names
	// the first digest, and cosign refuses it.
	other := pushRandom(t, host+"/acme/app:v2")
	sigImg, err := remote.Image(ociref.CosignTag(img, ociref.SignatureSuffix))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ociref.CosignTag(other, ociref.SignatureSuffix), sigImg); err != nil {
		t.Fatal(err)
	}
	if _, _, err := cosign.VerifyImageSignatures(ctx, other.Ref, co); err == nil || !strings.Contains(err.Error(), "invalid or missing digest in claim") {
		t.Errorf("copied signature image: %v", err)
	}
}

// A key signature in the tag layout (no certificate, no Rekor bundle) is
// what "cosign verify --key --insecure-ignore-tlog" accepts.
func TestCosignVerifiesAKeySignature(t *testing.T) {
	host := newRegistry(t, true, nil)
	img := pushRandom(t, host+"/acme/app:v1")
	pemKey, k := pkcs8(t)
	ws := tree(t, nil)
	code, stdout, stderr := execute(t, ws, map[string]string{"INPUT_PRIVATE-KEY": pemKey}, "--images="+img.String(), "--image-layout=cosign-tag")
	if code != gate.Passed {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout, " referrers ") {
		t.Errorf("cosign-tag wrote a referrer:\n%s", stdout)
	}
	ctx := context.Background()
	if bundles, err := ociref.Bundles(ctx, img); err != nil || len(bundles) != 0 {
		t.Errorf("cosign-tag: %d referrer bundles, %v", len(bundles), err)
	}
	verifier := func(pub *ecdsa.PublicKey) *cosign.CheckOpts {
		v, err := signature.LoadECDSAVerifier(pub, crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		return &cosign.CheckOpts{SigVerifier: v, IgnoreTlog: true, ClaimVerifier: cosign.SimpleClaimVerifier}
	}
	sigs, _, err := cosign.VerifyImageSignatures(ctx, img.Ref, verifier(&k.PublicKey))
	if err != nil || len(sigs) != 1 {
		t.Fatalf("cosign verify --key: %d signatures, %v", len(sigs), err)
	}
	if ann, _ := sigs[0].Annotations(); ann[ociref.AnnotationCertificate] != "" || ann[ociref.AnnotationBundle] != "" {
		t.Errorf("a key signature carries %v", ann)
	}
	_, other := pkcs8(t)
	if _, _, err := cosign.VerifyImageSignatures(ctx, img.Ref, verifier(&other.PublicKey)); err == nil {
		t.Error("cosign accepted another key")
	}
}

// referrers-only writes no cosign tag.
func TestReferrersOnlyWritesNoTag(t *testing.T) {
	host := newRegistry(t, true, nil)
	img := pushRandom(t, host+"/acme/app:v1")
	pemKey, _ := pkcs8(t)
	code, stdout, stderr := execute(t, tree(t, nil), map[string]string{"INPUT_PRIVATE-KEY": pemKey}, "--images="+img.String(), "--image-layout=referrers")
	if code != gate.Passed || strings.Contains(stdout, "cosign-tag") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	got, err := ociref.ReadCosign(context.Background(), img, ociref.SignatureSuffix)
	if err != nil || got.Digest != "" || len(got.Layers) != 0 {
		t.Errorf("referrers-only left %+v, %v", got, err)
	}
	if code, _, stderr := execute(t, tree(t, nil), map[string]string{"INPUT_PRIVATE-KEY": pemKey}, "--images="+img.String(), "--image-layout=cosign"); code != gate.BadInput ||
		!strings.Contains(stderr, `input "image-layout": want one of both, referrers, cosign-tag`) {
		t.Errorf("bad layout: exit %d, %s", code, stderr)
	}
}

// refuseSubjects is a registry without OCI 1.1 support: it refuses any
// manifest that names a subject, as registries that predate the field do.
func refuseSubjects(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
			body, _ := io.ReadAll(r.Body)
			if bytes.Contains(body, []byte(`"subject"`)) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"errors":[{"code":"MANIFEST_INVALID","message":"unknown field subject"}]}`)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// Under both, a registry that refuses referrers keeps the cosign tag and
// the run passes saying so; asked for referrers only, the run cannot
// attach the signature and is undecided.
func TestBothSurvivesARegistryWithoutReferrers(t *testing.T) {
	host := newRegistry(t, false, refuseSubjects)
	img := pushRandom(t, host+"/acme/app:v1")
	pemKey, k := pkcs8(t)
	env := map[string]string{"INPUT_PRIVATE-KEY": pemKey}
	code, stdout, stderr := summarized(t, tree(t, nil), env, "--images="+img.String())
	if code != gate.Passed {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"The registry refused the OCI referrer of 1 image: the signature is in cosign's tag only.",
		"<br>OCI referrer refused by the registry: pushing the bundle to " + host + "/acme/app: PUT ",
		"image-signatures=" + img.String() + " cosign-tag " + host + "/acme/app@sha256:",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, " referrers "+host) {
		t.Errorf("a refused referrer is listed as written:\n%s", stdout)
	}
	v, _ := signature.LoadECDSAVerifier(&k.PublicKey, crypto.SHA256)
	if sigs, _, err := cosign.VerifyImageSignatures(context.Background(), img.Ref,
		&cosign.CheckOpts{SigVerifier: v, IgnoreTlog: true, ClaimVerifier: cosign.SimpleClaimVerifier}); err != nil || len(sigs) != 1 {
		t.Errorf("cosign verify: %d, %v", len(sigs), err)
	}

	code, stdout, stderr = execute(t, tree(t, nil), env, "--images="+img.String(), "--image-layout=referrers")
	if code != gate.Undecided || !strings.Contains(stderr, "pushing the bundle to "+host+"/acme/app") {
		t.Errorf("referrers only: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// The tag is cosign's: ociremote's own tag name for the digest.
func TestCosignTagName(t *testing.T) {
	d, _ := name.NewDigest("ghcr.io/acme/app@sha256:" + strings.Repeat("ab", 32))
	h, err := digest.Parse(d.DigestStr())
	if err != nil {
		t.Fatal(err)
	}
	want, err := ociremote.SignatureTag(d)
	if err != nil {
		t.Fatal(err)
	}
	if got := ociref.CosignTag(ociref.Image{Ref: d, Digest: h}, ociref.SignatureSuffix); got.String() != want.String() {
		t.Errorf("tag %s, cosign's %s", got, want)
	}
}
