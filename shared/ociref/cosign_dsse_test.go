package ociref_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v2/pkg/oci/remote"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	ctypes "github.com/sigstore/cosign/v2/pkg/types"

	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

const attestWorkflow = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0"

// attest signs an in-toto statement about the bytes "app" with s, as
// attestation tools do in a GitHub Actions run.
func attest(t *testing.T, s *sigstoretest.Sigstore) *sigstoretest.DSSE {
	t.Helper()
	sum := sha256.Sum256([]byte("app"))
	st := `{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1","subject":[{"name":"app","digest":{"sha256":"` +
		hex.EncodeToString(sum[:]) + `"}}],"predicate":{}}`
	d, err := s.SignDSSE(sigstoretest.Run{Workflow: attestWorkflow, Repository: "acme/app", Ref: "refs/tags/v1.0.0"}, "application/vnd.in-toto+json", []byte(st))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A keyless attestation written by cosign's own library ("cosign attest")
// is read back from the image's .att tag, converts to a bundle that
// verifies against the trusted root, and fails once its envelope or any
// annotation is tampered with; a malformed layer is refused.
func TestCosignLayerDSSE(t *testing.T) {
	ctx := context.Background()
	img := resolvedImage(t, newRegistry(t), "v1")
	s, v := keyless(t)
	d := attest(t, s)
	layer, err := static.NewAttestation(d.Envelope, static.WithLayerMediaType(ctypes.DssePayloadType),
		static.WithCertChain(d.Certificate, d.Chain), static.WithBundle(d.Rekor))
	if err != nil {
		t.Fatal(err)
	}
	se, err := mutate.AttachAttestationToEntity(ociremote.SignedUnknown(img.Ref), layer)
	if err != nil {
		t.Fatal(err)
	}
	if err := ociremote.WriteAttestations(img.Ref.Repository, se); err != nil {
		t.Fatal(err)
	}
	atts, err := ociref.ReadCosign(ctx, img, ociref.AttestationSuffix)
	if err != nil || len(atts.Layers) != 1 || atts.Tag.TagStr() != "sha256-"+img.Digest.Hex+".att" {
		t.Fatalf("read %+v, %v", atts, err)
	}
	l := atts.Layers[0]
	if l.MediaType != ociref.DSSEMediaType || !bytes.Equal(l.Payload, d.Envelope) {
		t.Fatalf("layer %+v", l)
	}

	id := &sigstore.Identity{SubjectRegexp: "^" + strings.ReplaceAll(attestWorkflow, ".", `\.`) + "$", Issuer: sigstoretest.ActionsIssuer}
	verify := func(l ociref.CosignLayer) (*sigstore.Result, error) {
		b, err := l.SigstoreBundle()
		if err != nil {
			return nil, err
		}
		return v.VerifyEntity(b, strings.NewReader("app"), id)
	}
	res, err := verify(l)
	if err != nil {
		t.Fatalf("untouched: %v", err)
	}
	if res.LogIndex != d.Rekor.Payload.LogIndex || res.SignedAt.IsZero() || res.Certificate.SourceRepositoryURI != "https://github.com/acme/app" {
		t.Errorf("result %+v", res)
	}

	other := attest(t, s)
	edit := func(k, v string) ociref.CosignLayer {
		c := l
		c.Annotations = maps.Clone(l.Annotations)
		if v == "" {
			delete(c.Annotations, k)
		} else {
			c.Annotations[k] = v
		}
		return c
	}
	envelope := func(f func(env map[string]any)) ociref.CosignLayer {
		var env map[string]any
		if err := json.Unmarshal(l.Payload, &env); err != nil {
			t.Fatal(err)
		}
		f(env)
		c := l
		if c.Payload, err = json.Marshal(env); err != nil {
			t.Fatal(err)
		}
		return c
	}
	otherAnn := func(k string) string {
		var b []byte
		switch k {
		case ociref.AnnotationCertificate:
			b = other.Certificate
		case ociref.AnnotationBundle:
			if b, err = json.Marshal(other.Rekor); err != nil {
				t.Fatal(err)
			}
		}
		return string(b)
	}
	for what, c := range map[string]ociref.CosignLayer{
		"the statement": envelope(func(env map[string]any) {
			p, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
			env["payload"] = base64.StdEncoding.EncodeToString(bytes.Replace(p, []byte(`"name":"app"`), []byte(`"name":"evil"`), 1))
		}),
		"the signature": envelope(func(env map[string]any) {
			sig := env["signatures"].([]any)[0].(map[string]any)
			raw, _ := base64.StdEncoding.DecodeString(sig["sig"].(string))
			raw[len(raw)-3] ^= 1
			sig["sig"] = base64.StdEncoding.EncodeToString(raw)
		}),
		"another run's envelope":    {MediaType: l.MediaType, Payload: other.Envelope, Annotations: l.Annotations},
		"another run's certificate": edit(ociref.AnnotationCertificate, otherAnn(ociref.AnnotationCertificate)),
		"another run's log entry":   edit(ociref.AnnotationBundle, otherAnn(ociref.AnnotationBundle)),
		"no log entry":              edit(ociref.AnnotationBundle, ""),
		"no certificate":            edit(ociref.AnnotationCertificate, ""),
	} {
		_, err := verify(c)
		if !errors.Is(err, sigstore.ErrSignatureInvalid) && !errors.Is(err, sigstore.ErrUntrustedSigner) {
			t.Errorf("%s tampered: got %v, want a failed verification", what, err)
		}
	}

	// A timestamp authority's timestamp is carried into the bundle; one
	// that does not verify (here from an authority the root does not
	// name) fails the signature: a timestamp present must verify.
	ts := edit(ociref.AnnotationRFC3161Timestamp, `{"SignedRFC3161Timestamp":"dGltZXN0YW1w"}`)
	b, err := ts.SigstoreBundle()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Timestamps(); err != nil || len(got) != 1 || string(got[0]) != "timestamp" {
		t.Errorf("timestamps %q, %v", got, err)
	}
	if _, err := verify(ts); !errors.Is(err, sigstore.ErrSignatureInvalid) {
		t.Errorf("with an unknown authority's timestamp: got %v, want ErrSignatureInvalid", err)
	}

	for what, c := range map[string]ociref.CosignLayer{
		"envelope not JSON":        {MediaType: l.MediaType, Payload: []byte("{"), Annotations: l.Annotations},
		"a simple-signing payload": {MediaType: l.MediaType, Payload: ociref.Payload(img), Annotations: l.Annotations},
		"payload not base64":       envelope(func(env map[string]any) { env["payload"] = "%%" }),
		"signature not base64":     envelope(func(env map[string]any) { env["signatures"].([]any)[0].(map[string]any)["sig"] = "%%" }),
		"no signature":             envelope(func(env map[string]any) { env["signatures"] = []any{} }),
		"no payload type":          envelope(func(env map[string]any) { delete(env, "payloadType") }),
		"certificate not PEM":      edit(ociref.AnnotationCertificate, "junk"),
		"rekor bundle not JSON":    edit(ociref.AnnotationBundle, "{"),
		"rekor log ID not hex":     edit(ociref.AnnotationBundle, strings.Replace(l.Annotations[ociref.AnnotationBundle], `"logID":"`, `"logID":"zz`, 1)),
		"timestamp not JSON":       edit(ociref.AnnotationRFC3161Timestamp, "junk"),
		"another media type":       {MediaType: "application/vnd.oci.image.layer.v1.tar", Payload: l.Payload, Annotations: l.Annotations},
	} {
		if _, err := c.SigstoreBundle(); !errors.Is(err, ociref.ErrCosignLayer) {
			t.Errorf("%s: got %v, want ErrCosignLayer", what, err)
		}
	}
}
