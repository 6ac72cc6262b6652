package ociref_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// resolvedImage pushes a random image to host/app:tag and resolves it.
func resolvedImage(t *testing.T, host, tag string) ociref.Image {
	t.Helper()
	push(t, host+"/app:"+tag)
	img, err := ociref.Resolve(context.Background(), host+"/app:"+tag)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func keySigner(t *testing.T) (*sigstore.KeySigner, *sigstore.Verifier) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sigstore.NewKeySigner(k)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigstore.NewKeyVerifier(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

// keyless starts a private Sigstore for the test and a verifier trusting
// its root.
func keyless(t *testing.T) (*sigstoretest.Sigstore, *sigstore.Verifier) {
	t.Helper()
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	tr, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigstore.NewKeylessVerifier(tr)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

// signLayer signs img's payload with s and converts the bundle.
func signLayer(t *testing.T, s sigstore.Signer, img ociref.Image) ociref.CosignLayer {
	t.Helper()
	sig, err := s.Sign(context.Background(), ociref.Payload(img))
	if err != nil {
		t.Fatal(err)
	}
	l, err := ociref.CosignSignature(ociref.Payload(img), sig.Bundle, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Appending keeps the signatures already at the tag, in order; a tag
// that does not exist reads as no signature.
func TestAttachCosignAppends(t *testing.T) {
	host := newRegistry(t)
	ctx := context.Background()
	img := resolvedImage(t, host, "v1")
	none, err := ociref.ReadCosign(ctx, img, ociref.SignatureSuffix)
	if err != nil || none.Digest != "" || len(none.Layers) != 0 || none.Tag.TagStr() != "sha256-"+img.Digest.Hex+".sig" {
		t.Fatalf("unsigned: %+v, %v", none, err)
	}
	s, v := keySigner(t)
	first, second := signLayer(t, s, img), signLayer(t, s, img)
	if _, err := ociref.AttachCosign(ctx, img, first); err != nil {
		t.Fatal(err)
	}
	written, err := ociref.AttachCosign(ctx, img, second)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ociref.ReadCosign(ctx, img, ociref.SignatureSuffix)
	if err != nil || len(got.Layers) != 2 || got.Digest != written.DigestStr() {
		t.Fatalf("read %d layers of %s, %v; wrote %s", len(got.Layers), got.Digest, err, written)
	}
	desc, err := remote.Head(got.Tag)
	if err != nil || desc.Digest.String() != got.Digest {
		t.Errorf("the tag holds %v, %v; read %s", desc, err, got.Digest)
	}
	for i, want := range []ociref.CosignLayer{first, second} {
		l := got.Layers[i]
		if l.MediaType != ociref.SimpleSigningMediaType || !bytes.Equal(l.Payload, want.Payload) || !maps.Equal(l.Annotations, want.Annotations) {
			t.Errorf("layer %d: %+v, want %+v", i, l, want)
		}
		b, err := l.SigstoreBundle()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.VerifyEntity(b, bytes.NewReader(l.Payload), nil); err != nil {
			t.Errorf("layer %d: %v", i, err)
		}
	}
	// Another image of the repository has its own tag, still empty.
	other := resolvedImage(t, host, "v2")
	if got, err := ociref.ReadCosign(ctx, other, ociref.SignatureSuffix); err != nil || len(got.Layers) != 0 {
		t.Errorf("other image: %+v, %v", got, err)
	}
}

// A keyless signature survives the trip to cosign's layer and back and
// verifies against the trusted root offline; every annotation tampered
// with, and the payload, fails.
func TestCosignLayerKeylessRoundTrip(t *testing.T) {
	s, v := keyless(t)
	img := fakeImage(t, strings.Repeat("ab", 32))
	payload := ociref.Payload(img)
	sig, err := s.Signer().Sign(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ociref.CosignSignature(payload, sig.Bundle, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{ociref.AnnotationSignature, ociref.AnnotationCertificate, ociref.AnnotationBundle} {
		if l.Annotations[k] == "" {
			t.Errorf("annotation %s is empty", k)
		}
	}
	if c, ok := l.Annotations[ociref.AnnotationChain]; !ok || c != "" {
		t.Errorf("chain annotation %q, %v; want present and empty, as cosign writes it without a chain", c, ok)
	}
	var rekor struct {
		SignedEntryTimestamp string
		Payload              struct {
			Body           string `json:"body"`
			IntegratedTime int64  `json:"integratedTime"`
			LogIndex       int64  `json:"logIndex"`
			LogID          string `json:"logID"`
		}
	}
	if err := json.Unmarshal([]byte(l.Annotations[ociref.AnnotationBundle]), &rekor); err != nil || rekor.SignedEntryTimestamp == "" ||
		rekor.Payload.LogIndex != sig.LogIndex || len(rekor.Payload.LogID) != 64 || rekor.Payload.IntegratedTime == 0 {
		t.Errorf("rekor bundle %+v, %v", rekor, err)
	}
	id := &sigstore.Identity{SubjectRegexp: `^https://github\.com/hubgates/fixture/`, Issuer: sigstoretest.ActionsIssuer}
	verify := func(l ociref.CosignLayer) error {
		b, err := l.SigstoreBundle()
		if err != nil {
			return err
		}
		_, err = v.VerifyEntity(b, bytes.NewReader(l.Payload), id)
		return err
	}
	if err := verify(l); err != nil {
		t.Fatalf("untouched: %v", err)
	}

	other, err := s.Signer().Sign(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	otherLayer, _ := ociref.CosignSignature(payload, other.Bundle, nil)
	edit := func(k, v string) ociref.CosignLayer {
		c := l
		c.Annotations = maps.Clone(l.Annotations)
		c.Annotations[k] = v
		return c
	}
	rawSig, _ := base64.StdEncoding.DecodeString(l.Annotations[ociref.AnnotationSignature])
	rawSig[len(rawSig)-3] ^= 1
	laterSET := strings.Replace(l.Annotations[ociref.AnnotationBundle], `"integratedTime":`, `"integratedTime":1`, 1)
	for what, c := range map[string]ociref.CosignLayer{
		"signature":                 edit(ociref.AnnotationSignature, base64.StdEncoding.EncodeToString(rawSig)),
		"another run's signature":   edit(ociref.AnnotationSignature, otherLayer.Annotations[ociref.AnnotationSignature]),
		"another run's certificate": edit(ociref.AnnotationCertificate, otherLayer.Annotations[ociref.AnnotationCertificate]),
		"another run's log entry":   edit(ociref.AnnotationBundle, otherLayer.Annotations[ociref.AnnotationBundle]),
		"the entry's time":          edit(ociref.AnnotationBundle, laterSET),
		"no log entry":              edit(ociref.AnnotationBundle, ""),
		"payload":                   {MediaType: l.MediaType, Payload: bytes.Replace(payload, []byte("ab"), []byte("cd"), 1), Annotations: l.Annotations},
	} {
		if err := verify(c); !errors.Is(err, sigstore.ErrSignatureInvalid) && !errors.Is(err, ociref.ErrCosignLayer) {
			t.Errorf("%s tampered: got %v, want a failed verification", what, err)
		}
	}
	for what, c := range map[string]ociref.CosignLayer{
		"signature not base64":   edit(ociref.AnnotationSignature, "%%%"),
		"no signature":           edit(ociref.AnnotationSignature, ""),
		"certificate not PEM":    edit(ociref.AnnotationCertificate, "junk"),
		"rekor bundle not JSON":  edit(ociref.AnnotationBundle, "{"),
		"rekor body not base64":  edit(ociref.AnnotationBundle, `{"SignedEntryTimestamp":"AA==","Payload":{"body":"%%","logID":"00"}}`),
		"rekor log ID not hex":   edit(ociref.AnnotationBundle, strings.Replace(l.Annotations[ociref.AnnotationBundle], `"logID":"`, `"logID":"zz`, 1)),
		"an attestation's layer": {MediaType: "application/vnd.dsse.envelope.v1+json", Payload: payload, Annotations: l.Annotations},
	} {
		if _, err := c.SigstoreBundle(); !errors.Is(err, ociref.ErrCosignLayer) {
			t.Errorf("%s: got %v, want ErrCosignLayer", what, err)
		}
	}
	if _, err := ociref.CosignSignature([]byte("other bytes"), sig.Bundle, nil); !errors.Is(err, ociref.ErrCosignLayer) {
		t.Errorf("a bundle over other bytes converted: %v", err)
	}
}

// A key signature carries no certificate or log entry and verifies with
// its key only.
func TestCosignLayerKey(t *testing.T) {
	s, v := keySigner(t)
	_, otherV := keySigner(t)
	img := fakeImage(t, strings.Repeat("cd", 32))
	l := signLayer(t, s, img)
	if len(l.Annotations) != 1 || l.Annotations[ociref.AnnotationSignature] == "" {
		t.Errorf("annotations %v, want the signature only", l.Annotations)
	}
	b, err := l.SigstoreBundle()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.VerifyEntity(b, bytes.NewReader(l.Payload), nil); err != nil {
		t.Error(err)
	}
	if _, err := otherV.VerifyEntity(b, bytes.NewReader(l.Payload), nil); !errors.Is(err, sigstore.ErrUntrustedSigner) {
		t.Errorf("another key: %v", err)
	}
}

func TestCheckPayload(t *testing.T) {
	img := fakeImage(t, strings.Repeat("ab", 32))
	other := fakeImage(t, strings.Repeat("cd", 32))
	if err := ociref.CheckPayload(ociref.Payload(img), img); err != nil {
		t.Errorf("own payload: %v", err)
	}
	// Copied to another repository, the payload still names the digest.
	moved := img
	moved.Ref = img.Ref.Context().Registry.Repo("mirror", "app").Digest(img.Digest.String())
	if err := ociref.CheckPayload(ociref.Payload(img), moved); err != nil {
		t.Errorf("moved image: %v", err)
	}
	for what, p := range map[string][]byte{
		"another image's payload": ociref.Payload(other),
		"another type":            bytes.Replace(ociref.Payload(img), []byte("cosign container image signature"), []byte("atomic container signature"), 1),
		"not JSON":                []byte("sha256:" + strings.Repeat("ab", 32)),
	} {
		if err := ociref.CheckPayload(p, img); !errors.Is(err, ociref.ErrPayloadMismatch) {
			t.Errorf("%s: got %v, want ErrPayloadMismatch", what, err)
		}
	}
}

// fakeImage is ghcr.io/acme/app at digest sha256:<hex>, never pushed.
func fakeImage(t *testing.T, hex string) ociref.Image {
	t.Helper()
	d, err := name.NewDigest("ghcr.io/acme/app@sha256:" + hex)
	if err != nil {
		t.Fatal(err)
	}
	h, err := digest.Parse(d.DigestStr())
	if err != nil {
		t.Fatal(err)
	}
	return ociref.Image{Ref: d, Digest: h}
}

// A cosign tag image is bounded as a whole before any layer is read:
// many layers, or many bytes of them, are refused.
func TestReadCosignBounds(t *testing.T) {
	host := newRegistry(t)
	ctx := context.Background()
	img := resolvedImage(t, host, "v1")
	s, _ := keySigner(t)
	for range 3 {
		if _, err := ociref.AttachCosign(ctx, img, signLayer(t, s, img)); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := ociref.ReadCosign(ctx, img, ociref.SignatureSuffix); err != nil || len(got.Layers) != 3 {
		t.Fatalf("within the bounds: %d layers, %v", len(got.Layers), err)
	}
	restore := ociref.SetCosignLimits(2, 1<<20)
	_, err := ociref.ReadCosign(ctx, img, ociref.SignatureSuffix)
	restore()
	if err == nil || !strings.Contains(err.Error(), "expected at most 2 layers, got 3") {
		t.Errorf("too many layers: %v", err)
	}
	restore = ociref.SetCosignLimits(10, 100)
	_, err = ociref.ReadCosign(ctx, img, ociref.SignatureSuffix)
	restore()
	if err == nil || !strings.Contains(err.Error(), "expected at most 100 bytes of layers") {
		t.Errorf("too many bytes: %v", err)
	}
}
