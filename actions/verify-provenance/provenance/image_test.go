package provenance

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	serrors "github.com/slsa-framework/slsa-verifier/v2/errors"
	"github.com/slsa-framework/slsa-verifier/v2/options"
	"github.com/slsa-framework/slsa-verifier/v2/verifiers/utils"

	"github.com/hubgates/hub/actions/verify-provenance/provenance/provenancetest"
	"github.com/hubgates/hub/shared/ociref"
)

// The SLSA GitHub generator's container provenance for an image, as
// slsa-verifier's test data records it: "cosign save" of the image and of
// its attestation (see testdata/NOTICE).
const (
	containerLayout      = "testdata/generic-container"
	containerGenerator   = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml"
	containerImageDigest = "sha256:234e2c830c2fb31ac5671789d22adfe44d30c3ee831d01beae5e237841a13122"
)

// newRegistry starts an in-process registry, with or without the
// referrers API, and returns its host.
func newRegistry(t *testing.T, referrers bool) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// pushReal pushes the recorded image and its attestation to host, tagged
// v1, and resolves the tag.
func pushReal(t *testing.T, host string) ociref.Image {
	t.Helper()
	repo, err := name.NewRepository(host + "/slsa-framework/example-package")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provenancetest.PushLayout(context.Background(), containerLayout, repo, "v1", false); err != nil {
		t.Fatal(err)
	}
	img := resolve(t, repo.Tag("v1").String())
	if img.Digest.String() != containerImageDigest {
		t.Fatalf("the pushed image resolves to %s, want %s", img.Digest, containerImageDigest)
	}
	return img
}

func resolve(t *testing.T, ref string) ociref.Image {
	t.Helper()
	img, err := ociref.Resolve(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// pushRandom pushes a new random image to ref and resolves it.
func pushRandom(t *testing.T, ref string) ociref.Image {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(128, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	return resolve(t, ref)
}

// verifyImageOffline finds img's attestations and verifies them offline.
func verifyImageOffline(t *testing.T, o *Offline, img ociref.Image, p Policy) (*Report, error) {
	t.Helper()
	atts, _, err := FindAttestations(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	if len(atts) == 0 {
		t.Fatalf("no attestation found for %s", img)
	}
	return verifyAny(context.Background(), atts, func(_ context.Context, a Attestation) (*Report, error) { return o.VerifyImage(a, img.Digest, p) })
}

// TestImageRealCosignAttestation verifies the SLSA GitHub generator's
// real container provenance, read from cosign's sha256-<hex>.att tag in a
// registry, offline against the public-good root: the right policy
// passes, each wrong expectation fails with its reason.
func TestImageRealCosignAttestation(t *testing.T) {
	for _, referrers := range []bool{true, false} {
		img := pushReal(t, newRegistry(t, referrers))
		atts, skipped, err := FindAttestations(context.Background(), img)
		if err != nil {
			t.Fatal(err)
		}
		if len(atts) != 1 || skipped != 0 || atts[0].Source != SourceCosign || atts[0].Problem != nil ||
			!strings.HasSuffix(atts[0].Location, "/slsa-framework/example-package:sha256-234e2c830c2fb31ac5671789d22adfe44d30c3ee831d01beae5e237841a13122.att") ||
			atts[0].Digest.String() != "sha256:e163b472f2e5d66e5a2a45e26e020c51a0d2da7dc8b567b31fc2ebfd33dbc33a" {
			t.Fatalf("attestations %+v, %d skipped", atts, skipped)
		}
		o := newOffline(t)
		tests := []struct {
			name   string
			policy Policy
			want   error
		}{
			{"branch main", Policy{SourceURI: exampleSource, BuilderID: containerGenerator, SourceBranch: "main"}, nil},
			{"pinned builder", Policy{SourceURI: exampleSource, BuilderID: containerGenerator + "@v2.1.0"}, nil},
			{"wrong builder version", Policy{SourceURI: exampleSource, BuilderID: containerGenerator + "@v2.0.0"}, ErrUntrustedBuilder},
			{"generic builder", Policy{SourceURI: exampleSource, BuilderID: genericBuilder}, ErrUntrustedBuilder},
			{"fork", Policy{SourceURI: "github.com/attacker/example-package", BuilderID: containerGenerator}, ErrMismatchSource},
			{"branch master", Policy{SourceURI: exampleSource, BuilderID: containerGenerator, SourceBranch: "master"}, ErrMismatchBranch},
			{"tag on a branch build", Policy{SourceURI: exampleSource, BuilderID: containerGenerator, SourceTag: "v1.2.3"}, ErrInvalidRef},
			{"inputs", Policy{SourceURI: exampleSource, BuilderID: containerGenerator, WorkflowInputs: map[string]string{"release": "true"}}, ErrMismatchInputs},
		}
		for _, tt := range tests {
			rep, err := verifyImageOffline(t, o, img, tt.policy)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("referrers %v, %s: got %v, want %v", referrers, tt.name, err, tt.want)
				continue
			}
			if err == nil && (rep.Artifact != img.Digest || rep.LogIndex != 174304112 || rep.Location != atts[0].Location ||
				rep.Claims.BuilderID != containerGenerator+"@refs/tags/v2.1.0" || refOf(rep.Claims) != "refs/heads/main") {
				t.Errorf("referrers %v, %s: report %+v %+v", referrers, tt.name, rep, rep.Claims)
			}
		}
	}
}

// TestImageRetagged: the tag moved to another image, which has no
// provenance; the old image's provenance is never looked at.
func TestImageRetagged(t *testing.T) {
	host := newRegistry(t, true)
	real := pushReal(t, host)
	moved := pushRandom(t, real.Ref.Context().Tag("v1").String())
	if moved.Digest == real.Digest {
		t.Fatal("the tag did not move")
	}
	atts, skipped, err := FindAttestations(context.Background(), moved)
	if err != nil || len(atts) != 0 || skipped != 0 {
		t.Fatalf("re-tagged image: %+v, %d skipped, %v; want none", atts, skipped, err)
	}
}

// TestImageCopiedAttestation copies the real attestation onto another
// image's sha256-<hex>.att tag: it is found there, and fails because its
// subject names the first image.
func TestImageCopiedAttestation(t *testing.T) {
	host := newRegistry(t, true)
	real := pushReal(t, host)
	other := pushRandom(t, real.Ref.Context().Tag("v2").String())
	if _, err := provenancetest.PushLayout(context.Background(), containerLayout, other.Ref.Context(), "v2", true); err != nil {
		t.Fatal(err)
	}
	_, err := verifyImageOffline(t, newOffline(t), other, Policy{SourceURI: exampleSource, BuilderID: containerGenerator})
	if !errors.Is(err, ErrMismatchArtifact) || !strings.Contains(err.Error(), containerImageDigest) {
		t.Fatalf("copied attestation: %v, want ErrMismatchArtifact naming %s", err, containerImageDigest)
	}
}

// virtual is a private Sigstore and the offline verifier trusting it.
func virtual(t *testing.T) (*provenancetest.Sigstore, *Offline) {
	t.Helper()
	s, err := provenancetest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	tr, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewOffline(tr)
	if err != nil {
		t.Fatal(err)
	}
	return s, o
}

// A workflow of acme/app attests its own image, as
// actions/attest-build-provenance does.
const (
	appRepo     = "acme/app"
	appSource   = "github.com/acme/app"
	appWorkflow = "https://github.com/acme/app/.github/workflows/release.yml"
)

func appAttestation(t *testing.T, s *provenancetest.Sigstore, ref string, subject ociref.Image) *provenancetest.Attestation {
	t.Helper()
	a, err := s.Attest(provenancetest.Run{Workflow: appWorkflow + "@" + ref, Repository: appRepo, Ref: ref},
		provenancetest.GitHubAttestationStatement(provenancetest.Build{BuilderID: appWorkflow + "@" + ref, Repository: appRepo, Ref: ref,
			Subjects: []provenancetest.Subject{{Name: subject.Ref.Context().Name(), SHA256: subject.Digest.Hex}}}))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestImageReferrers attaches attest-build-provenance style bundles as OCI
// referrers, on registries with and without the referrers API: the image's
// own passes; one whose subject is another image fails; a signature and
// an SBOM attached beside them are skipped, not verified.
func TestImageReferrers(t *testing.T) {
	ctx := context.Background()
	for _, referrers := range []bool{true, false} {
		s, o := virtual(t)
		host := newRegistry(t, referrers)
		img := pushRandom(t, host+"/acme/app:v1")
		other := pushRandom(t, host+"/acme/app:v2")
		p := Policy{SourceURI: appSource, BuilderID: appWorkflow, SourceTag: "v1.0.0"}

		if _, err := provenancetest.AttachReferrer(ctx, img.Ref, appAttestation(t, s, "refs/tags/v1.0.0", img)); err != nil {
			t.Fatal(err)
		}
		if _, err := provenancetest.AttachReferrer(ctx, other.Ref, appAttestation(t, s, "refs/tags/v1.0.0", img)); err != nil {
			t.Fatal(err)
		}
		for _, target := range []ociref.Image{img, other} {
			sbom, err := s.Attest(provenancetest.Run{Workflow: appWorkflow + "@refs/tags/v1.0.0", Repository: appRepo, Ref: "refs/tags/v1.0.0"},
				[]byte(`{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://spdx.dev/Document/v2.3","subject":[{"name":"app","digest":{"sha256":"`+target.Digest.Hex+`"}}],"predicate":{}}`))
			if err != nil {
				t.Fatal(err)
			}
			sbom.PredicateType = "" // no annotation: skipped by reading the statement
			if _, err := provenancetest.AttachReferrer(ctx, target.Ref, sbom); err != nil {
				t.Fatal(err)
			}
			if _, err := ociref.Attach(ctx, target, []byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","messageSignature":{}}`)); err != nil {
				t.Fatal(err)
			}
		}

		atts, skipped, err := FindAttestations(ctx, img)
		if err != nil || len(atts) != 1 || skipped != 2 || atts[0].Source != SourceReferrers {
			t.Fatalf("referrers %v: %+v, %d skipped, %v; want one referrer bundle and two skipped", referrers, atts, skipped, err)
		}
		rep, err := verifyImageOffline(t, o, img, p)
		if err != nil || rep.Location != atts[0].Location || rep.Claims.BuilderID != appWorkflow+"@refs/tags/v1.0.0" {
			t.Fatalf("referrers %v: %+v, %v", referrers, rep, err)
		}
		if _, err := verifyImageOffline(t, o, other, p); !errors.Is(err, ErrMismatchArtifact) {
			t.Errorf("referrers %v: subject is another image: %v, want ErrMismatchArtifact", referrers, err)
		}
		if _, err := verifyImageOffline(t, newOffline(t), img, p); !errors.Is(err, ErrSignature) {
			t.Errorf("referrers %v: another trusted root: %v, want ErrSignature", referrers, err)
		}
		if _, err := verifyImageOffline(t, o, img, Policy{SourceURI: appSource, BuilderID: appWorkflow, SourceTag: "v1.0.1"}); !errors.Is(err, ErrMismatchTag) {
			t.Errorf("referrers %v: another tag: %v, want ErrMismatchTag", referrers, err)
		}
	}
}

// TestImageGeneratedCosign writes container generator provenance in
// cosign's tag layout with cosign's library: it verifies; an attestation
// whose statement was edited after signing, or that carries no
// certificate, does not.
func TestImageGeneratedCosign(t *testing.T) {
	ctx := context.Background()
	s, o := virtual(t)
	host := newRegistry(t, true)
	img := pushRandom(t, host+"/acme/app:v1")
	run := provenancetest.Run{Workflow: containerGenerator + "@refs/tags/v2.1.0", Repository: appRepo, Ref: "refs/heads/main", Event: "workflow_dispatch"}
	build := provenancetest.Build{BuilderID: containerGenerator + "@refs/tags/v2.1.0", Repository: appRepo, Ref: "refs/heads/main", Event: "workflow_dispatch",
		Inputs: map[string]any{"release": true}, Subjects: []provenancetest.Subject{{Name: "acme/app", SHA256: img.Digest.Hex}}}
	a, err := s.Attest(run, provenancetest.ContainerGeneratorStatement(build))
	if err != nil {
		t.Fatal(err)
	}
	if err := provenancetest.AttachCosign(ctx, img.Ref, []*provenancetest.Attestation{a}); err != nil {
		t.Fatal(err)
	}
	p := Policy{SourceURI: appSource, BuilderID: containerGenerator, SourceBranch: "main", WorkflowInputs: map[string]string{"release": "true"}}
	if _, err := verifyImageOffline(t, o, img, p); err != nil {
		t.Fatalf("generated cosign attestation: %v", err)
	}

	// The statement re-encoded with another subject, the signature kept.
	tampered := pushRandom(t, host+"/acme/app:v2")
	edited := *a
	edited.Envelope = editPayload(t, a.Envelope, img.Digest.Hex, tampered.Digest.Hex)
	if err := provenancetest.AttachCosign(ctx, tampered.Ref, []*provenancetest.Attestation{&edited}); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyImageOffline(t, o, tampered, p); !errors.Is(err, ErrSignature) {
		t.Errorf("edited statement: %v, want ErrSignature", err)
	}

	keyed := *a
	keyed.Certificate, keyed.Chain = nil, nil
	bare := pushRandom(t, host+"/acme/app:v3")
	if err := provenancetest.AttachCosign(ctx, bare.Ref, []*provenancetest.Attestation{&keyed}); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyImageOffline(t, o, bare, p); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("no certificate: %v, want ErrMalformed about the certificate", err)
	}
}

// TestImageRefusesDelegatedBuilders: slsa-verifier's VerifyImage trusts
// no delegator, so neither does the image path; the same bundle for a
// file passes the artifact path.
func TestImageRefusesDelegatedBuilders(t *testing.T) {
	s, o := virtual(t)
	img := pushRandom(t, newRegistry(t, true)+"/acme/app:v1")
	maven := "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_maven_slsa3.yml"
	a, err := s.Attest(provenancetest.Run{Workflow: DelegatorLowPermsGeneric + "@refs/tags/v2.1.0", Repository: appRepo, Ref: "refs/heads/main"},
		provenancetest.DelegatedStatement(provenancetest.Build{BuilderID: maven + "@refs/tags/v2.1.0", Repository: appRepo, Ref: "refs/heads/main",
			Subjects: []provenancetest.Subject{{Name: "app", SHA256: img.Digest.Hex}}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provenancetest.AttachReferrer(context.Background(), img.Ref, a); err != nil {
		t.Fatal(err)
	}
	p := Policy{SourceURI: appSource, BuilderID: maven}
	if _, err := verifyImageOffline(t, o, img, p); !errors.Is(err, ErrUntrustedBuilder) {
		t.Errorf("image path: %v, want ErrUntrustedBuilder", err)
	}
	if _, err := o.Verify(a.Bundle, img.Digest, p); err != nil {
		t.Errorf("artifact path: %v", err)
	}
}

// editPayload replaces old with new in a DSSE envelope's statement and
// re-encodes it, keeping the signature.
func editPayload(t *testing.T, envelope []byte, old, new string) []byte {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(envelope, &env); err != nil {
		t.Fatal(err)
	}
	payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(payload), old) {
		t.Fatalf("the statement does not contain %q", old)
	}
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(string(payload), old, new)))
	out, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOnlineImageRoutes: on the slsa-verifier path, cosign's attestations
// go to VerifyImage once, whatever their number, and each referrer bundle
// to VerifyGithubAttestation with the image's digest; one that verifies
// passes the image; a network failure or a service that never answers is
// undecided, never a verdict.
func TestOnlineImageRoutes(t *testing.T) {
	ctx := context.Background()
	s, _ := virtual(t)
	host := newRegistry(t, true)
	img := pushRandom(t, host+"/acme/app:v1")
	a := appAttestation(t, s, "refs/tags/v1.0.0", img)
	if _, err := provenancetest.AttachReferrer(ctx, img.Ref, a); err != nil {
		t.Fatal(err)
	}
	gen, err := s.Attest(provenancetest.Run{Workflow: containerGenerator + "@refs/tags/v2.1.0", Repository: appRepo, Ref: "refs/heads/main"},
		provenancetest.ContainerGeneratorStatement(provenancetest.Build{BuilderID: containerGenerator + "@refs/tags/v2.1.0", Repository: appRepo,
			Ref: "refs/heads/main", Subjects: []provenancetest.Subject{{Name: "acme/app", SHA256: img.Digest.Hex}}}))
	if err != nil {
		t.Fatal(err)
	}
	if err := provenancetest.AttachCosign(ctx, img.Ref, []*provenancetest.Attestation{gen, gen}); err != nil {
		t.Fatal(err)
	}
	atts, _, err := FindAttestations(ctx, img)
	if err != nil || len(atts) != 3 {
		t.Fatalf("attestations %+v, %v; want two cosign layers and a referrer", atts, err)
	}

	var images, bundles int
	var gotDigest string
	deny := func(context.Context, string, []byte, *options.ProvenanceOpts, *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
		images++
		return nil, nil, fmt.Errorf("%w: no", serrors.ErrorMismatchSource)
	}
	pass := func(_ context.Context, b []byte, _ string, po *options.ProvenanceOpts, _ *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
		bundles++
		gotDigest = po.ExpectedDigest
		if string(b) != string(a.Bundle) {
			return nil, nil, errors.New("not the referrer's bundle")
		}
		return nil, nil, nil
	}
	p := Policy{SourceURI: appSource, BuilderID: appWorkflow}
	rep, err := Online{Image: deny, Attestation: pass}.VerifyImage(ctx, img, atts, p)
	if err != nil || images != 1 || bundles != 1 || gotDigest != img.Digest.Hex || rep.Location != atts[2].Location {
		t.Fatalf("VerifyImage = %+v, %v; VerifyImage called %d times, VerifyGithubAttestation %d times with digest %q", rep, err, images, bundles, gotDigest)
	}

	refuse := func(context.Context, []byte, string, *options.ProvenanceOpts, *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
		return nil, nil, fmt.Errorf("%w: no", serrors.ErrorMismatchHash)
	}
	if _, err := (Online{Image: deny, Attestation: refuse}).VerifyImage(ctx, img, atts, p); !errors.Is(err, ErrMismatchSource) {
		t.Errorf("both deny: %v, want the most telling verdict, ErrMismatchSource", err)
	}

	offline := func(context.Context, string, []byte, *options.ProvenanceOpts, *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
		return nil, nil, errors.New(`tuf refresh failed: dial tcp: lookup tuf-repo-cdn.sigstore.dev: no such host`)
	}
	if _, err := (Online{Image: offline, Attestation: pass}).VerifyImage(ctx, img, atts, p); !errors.Is(err, ErrUnavailable) {
		t.Errorf("network failure: %v, want ErrUnavailable", err)
	}

	release := make(chan struct{})
	defer close(release)
	hung := func(context.Context, string, []byte, *options.ProvenanceOpts, *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
		<-release
		return nil, nil, nil
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := (Online{Image: hung, Attestation: pass}).VerifyImage(short, img, atts, p); !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hung service: %v, want ErrUnavailable after the deadline", err)
	}
}

// TestFindAttestationsHungRegistry: a registry that never answers ends
// the search when the context does, with an error, not an empty result.
func TestFindAttestationsHungRegistry(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hung.Close()
	defer close(release)
	ref, err := name.NewDigest(strings.TrimPrefix(hung.URL, "http://") + "/acme/app@" + containerImageDigest)
	if err != nil {
		t.Fatal(err)
	}
	img := ociref.Image{Ref: ref, Digest: mustDigest(t, containerImageDigest)}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	atts, _, err := FindAttestations(ctx, img)
	if err == nil || len(atts) != 0 {
		t.Fatalf("FindAttestations = %+v, %v; want an error", atts, err)
	}
}
