package provenance

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/cosign/v2/pkg/cosign"
	serrors "github.com/slsa-framework/slsa-verifier/v2/errors"
	"github.com/slsa-framework/slsa-verifier/v2/options"
	"github.com/slsa-framework/slsa-verifier/v2/verifiers/utils"

	"github.com/hubgates/hub/shared/digest"
)

// The container-based builder's provenance (SLSA v1, bundle v0.2 with a
// certificate chain).
const (
	containerFile    = "container-based-push-v14.2.intoto.build.slsa"
	containerBuilder = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_container-based_slsa3.yml"
)

// oracle is slsa-verifier v2.7.1's own verdict on its test provenance,
// from its regression test (cli/slsa-verifier/main_regression_test.go,
// Test_runVerifyGHAArtifactPath and the bcr cases): the flags given and
// the error it expects, nil for a pass. Where that test states a rule
// rather than this exact case (another builder, another builder version:
// ErrorMismatchBuilderID as for its "@v0.4" case), the rule is applied.
var oracle = []struct {
	name   string
	file   string
	policy Policy
	slsa   error
}{
	{"dispatch", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder}, nil},
	{"dispatch branch main", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceBranch: "main"}, nil},
	{"dispatch branch master", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceBranch: "master"}, serrors.ErrorMismatchBranch},
	{"dispatch tag", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceTag: "v1.2.3"}, serrors.ErrorInvalidRef},
	{"dispatch versioned tag", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v1"}, serrors.ErrorInvalidRef},
	{"dispatch wrong source", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: "github.com/laurentsimon/slsa-verifier-test-gen", BuilderID: genericBuilder}, serrors.ErrorMismatchSource},
	{"dispatch source prefix", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: exampleSource + "A", BuilderID: genericBuilder}, serrors.ErrorMismatchSource},
	{"dispatch not-trusted builder", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/not-trusted.yml"}, serrors.ErrorUntrustedReusableWorkflow},
	{"dispatch source middle A", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: "github.com/Alaurentsimon/slsa-verifier-test-gen", BuilderID: genericBuilder}, serrors.ErrorMismatchSource},
	{"dispatch untrusted builder", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml"}, serrors.ErrorUntrustedReusableWorkflow},
	{"dispatch builder version", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder + "@v2.1.0"}, nil},
	{"dispatch wrong builder version", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder + "@v1.2.0"}, serrors.ErrorMismatchBuilderID},
	{"tag v13.0.30", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceTag: "v13.0.30"}, nil},
	{"tag v13", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceTag: "v13"}, serrors.ErrorMismatchTag},
	{"tag v13.0", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceTag: "v13.0"}, serrors.ErrorMismatchTag},
	{"versioned v13", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v13"}, nil},
	{"versioned v13.0", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v13.0"}, nil},
	{"versioned v13.0.30", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v13.0.30"}, nil},
	{"versioned v13.0.29", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v13.0.29"}, serrors.ErrorMismatchVersionedTag},
	{"versioned v13.1", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v13.1"}, serrors.ErrorMismatchVersionedTag},
	{"versioned v12.9", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v12.9"}, serrors.ErrorMismatchVersionedTag},
	{"versioned v2", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v2"}, serrors.ErrorMismatchVersionedTag},
	{"versioned v14.2", "binary-linux-amd64-push-v14.2.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v14.2"}, nil},
	{"versioned v14.2.1", "binary-linux-amd64-push-v14.2.intoto.jsonl", Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v14.2.1"}, serrors.ErrorMismatchVersionedTag},
	{"container-based tag", containerFile, Policy{SourceURI: exampleSource, BuilderID: containerBuilder, SourceTag: "v14.2"}, nil},
	{"container-based versioned v14", containerFile, Policy{SourceURI: exampleSource, BuilderID: containerBuilder, SourceVersionedTag: "v14"}, nil},
	{"container-based versioned v14.2.1", containerFile, Policy{SourceURI: exampleSource, BuilderID: containerBuilder, SourceVersionedTag: "v14.2.1"}, serrors.ErrorMismatchVersionedTag},
	{"container-based wrong source", containerFile, Policy{SourceURI: "github.com/laurentsimon/slsa-verifier-test-gen", BuilderID: containerBuilder}, serrors.ErrorMismatchSource},
	{"container-based as generic", containerFile, Policy{SourceURI: exampleSource, BuilderID: genericBuilder}, serrors.ErrorUntrustedReusableWorkflow},
	{"bcr", "MODULE.bazel.intoto.jsonl", Policy{SourceURI: bcrSource, BuilderID: bcrBuilder}, nil},
	{"bcr wrong signer", "MODULE-wrong-signer.bazel.intoto.jsonl", Policy{SourceURI: bcrSource, BuilderID: bcrBuilder}, serrors.ErrorUntrustedReusableWorkflow},

	// Delegated (BYOB) builders: gha_delegator, gha_maven and gha_gradle
	// at v2.1.0. "BYOB-based builders ignore the reusable workflow": where
	// the test expects ErrorUntrustedReusableWorkflow for other builders,
	// it expects ErrorMismatchBuilderID for these.
	{"delegator dispatch", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder}, nil},
	{"delegator dispatch branch main", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceBranch: "main"}, nil},
	{"delegator dispatch branch master", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceBranch: "master"}, serrors.ErrorMismatchBranch},
	{"delegator dispatch not-trusted builder", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/not-trusted.yml"}, serrors.ErrorMismatchBuilderID},
	{"delegator dispatch wrong source", delegatorDispatch, Policy{SourceURI: "github.com/laurentsimon/slsa-verifier-test-gen", BuilderID: delegatorBuilder}, serrors.ErrorMismatchSource},
	{"delegator dispatch tag", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceTag: "v1.2.3"}, serrors.ErrorInvalidRef},
	{"delegator dispatch versioned tag", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceVersionedTag: "v1"}, serrors.ErrorInvalidRef},
	{"delegator builder version", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder + "@v2.1.0"}, nil},
	{"delegator builder version ref", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder + "@refs/tags/v2.1.0"}, nil},
	{"delegator wrong builder version", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder + "@v2.0.0"}, serrors.ErrorMismatchBuilderID},
	{"delegator tag v13.0.29", delegatorPush, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceTag: "v13.0.29"}, serrors.ErrorMismatchTag},
	{"delegator tag v13", delegatorPush, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceTag: "v13"}, serrors.ErrorMismatchTag},
	{"delegator versioned v13.0.30", delegatorPush, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceVersionedTag: "v13.0.30"}, nil},
	{"delegator versioned v13", delegatorPush, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceVersionedTag: "v13"}, nil},
	{"delegator versioned v0", delegatorPush, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceVersionedTag: "v0"}, serrors.ErrorMismatchVersionedTag},
	{"delegator versioned v13.0.31", delegatorPush, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceVersionedTag: "v13.0.31"}, serrors.ErrorMismatchVersionedTag},
	{"maven push", mavenPush, Policy{SourceURI: exampleSource, BuilderID: mavenBuilder}, nil},
	{"maven tag v13.0.30", mavenPush, Policy{SourceURI: exampleSource, BuilderID: mavenBuilder, SourceTag: "v13.0.30"}, nil},
	{"maven tag v13.0", mavenPush, Policy{SourceURI: exampleSource, BuilderID: mavenBuilder, SourceTag: "v13.0"}, serrors.ErrorMismatchTag},
	{"maven versioned v13.0", mavenPush, Policy{SourceURI: exampleSource, BuilderID: mavenBuilder, SourceVersionedTag: "v13.0"}, nil},
	{"maven versioned v12.9", mavenPush, Policy{SourceURI: exampleSource, BuilderID: mavenBuilder, SourceVersionedTag: "v12.9"}, serrors.ErrorMismatchVersionedTag},
	{"maven source middle A", mavenPush, Policy{SourceURI: "github.com/Alaurentsimon/slsa-verifier-test-gen", BuilderID: mavenBuilder}, serrors.ErrorMismatchSource},
	{"maven builder version", mavenPush, Policy{SourceURI: exampleSource, BuilderID: mavenBuilder + "@v2.1.0"}, nil},
	{"maven as its delegator", mavenPush, Policy{SourceURI: exampleSource, BuilderID: DelegatorLowPermsGeneric}, serrors.ErrorMismatchBuilderID},
	{"gradle dispatch", gradleDispatch, Policy{SourceURI: exampleSource, BuilderID: gradleBuilder}, nil},
	{"gradle dispatch branch main", gradleDispatch, Policy{SourceURI: exampleSource, BuilderID: gradleBuilder, SourceBranch: "main"}, nil},
	{"gradle dispatch branch master", gradleDispatch, Policy{SourceURI: exampleSource, BuilderID: gradleBuilder, SourceBranch: "master"}, serrors.ErrorMismatchBranch},
	{"gradle dispatch tag", gradleDispatch, Policy{SourceURI: exampleSource, BuilderID: gradleBuilder, SourceTag: "v1.2.3"}, serrors.ErrorInvalidRef},
	{"gradle dispatch not-trusted builder", gradleDispatch, Policy{SourceURI: exampleSource, BuilderID: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/not-trusted.yml"}, serrors.ErrorMismatchBuilderID},
	{"gradle builder version ref", gradleDispatch, Policy{SourceURI: exampleSource, BuilderID: gradleBuilder + "@refs/tags/v2.1.0"}, nil},
}

// TestPathsAgree runs each case of slsa-verifier's regression oracle
// through both paths' policy logic: the offline path verifies the real
// provenance and checks the policy; the slsa-verifier path's decision is
// the oracle's recorded error, classified as Online classifies
// slsa-verifier's errors. Both must reach the same verdict, and the
// options the slsa-verifier path passes must be those its command line
// builds from the same flags.
func TestPathsAgree(t *testing.T) {
	o := newOffline(t)
	for _, tt := range oracle {
		t.Run(tt.name, func(t *testing.T) {
			artifact := mustDigest(t, genericArtifact)
			switch {
			case strings.HasPrefix(tt.file, "MODULE"):
				artifact = moduleDigest(t)
			case tt.file == containerFile:
				artifact = digest.FromBytes(digest.SHA256, nil) // the build's artifact is empty
			case strings.HasSuffix(tt.file, ".build.slsa"):
				artifact = byobArtifact(t, tt.file)
			}
			_, offline := o.Verify(readTestdata(t, tt.file), artifact, tt.policy)
			var online error
			if tt.slsa != nil {
				online = classify(fmt.Errorf("verifying: %w", tt.slsa))
			}
			switch {
			case online == nil && offline != nil:
				t.Fatalf("slsa-verifier passes, the offline path denies: %v", offline)
			case online != nil && offline == nil:
				t.Fatalf("slsa-verifier denies (%v), the offline path passes", online)
			case online != nil && !errors.Is(offline, sentinelOf(online)):
				t.Fatalf("different reasons: slsa-verifier %v, offline %v", online, offline)
			}

			prov, builder := tt.policy.SLSAOptions(artifact.Hex)
			want := cliOptions(tt.policy, artifact.Hex)
			if !reflect.DeepEqual(prov, want) {
				t.Errorf("ProvenanceOpts = %+v, the CLI builds %+v", prov, want)
			}
			if builder.ExpectedID == nil || *builder.ExpectedID != tt.policy.BuilderID {
				t.Errorf("BuilderOpts.ExpectedID = %v, want %q", builder.ExpectedID, tt.policy.BuilderID)
			}
		})
	}
}

// cliOptions is what slsa-verifier's verify-artifact command builds from
// its flags (cli/slsa-verifier/verify/verify_artifact.go): a flag not
// given is a nil pointer.
func cliOptions(p Policy, sha string) *options.ProvenanceOpts {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	return &options.ProvenanceOpts{
		ExpectedSourceURI:      p.SourceURI,
		ExpectedBranch:         opt(p.SourceBranch),
		ExpectedDigest:         sha,
		ExpectedVersionedTag:   opt(p.SourceVersionedTag),
		ExpectedTag:            opt(p.SourceTag),
		ExpectedWorkflowInputs: p.WorkflowInputs,
	}
}

// sentinelOf returns the package sentinel err wraps.
func sentinelOf(err error) error {
	for _, s := range []error{ErrUntrustedBuilder, ErrMismatchSource, ErrMismatchBranch, ErrMismatchTag,
		ErrMismatchVersionedTag, ErrInvalidRef, ErrMismatchInputs, ErrMismatchArtifact, ErrCertificateMismatch,
		ErrSignature, ErrMalformed, ErrUnavailable} {
		if errors.Is(err, s) {
			return s
		}
	}
	return nil
}

// TestClassifyNetworkErrorIsUndecided: an error that is no verdict (the
// TUF refresh failing offline) is ErrUnavailable, never a pass or a deny.
func TestClassifyNetworkErrorIsUndecided(t *testing.T) {
	err := classify(errors.New(`tuf refresh failed: Get "https://tuf-repo-cdn.sigstore.dev/10.root.json": dial tcp: lookup tuf-repo-cdn.sigstore.dev: no such host`))
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "tuf-repo-cdn.sigstore.dev") {
		t.Fatalf("classify = %v, want ErrUnavailable naming the TUF repository", err)
	}
}

// TestClassifyVerdicts: slsa-verifier's and cosign's verdicts about the
// material itself are denials, not outages.
func TestClassifyVerdicts(t *testing.T) {
	for name, tt := range map[string]struct {
		err  error
		want error
	}{
		"statement for another artifact": {fmt.Errorf("x: %w", serrors.ErrorMismatchIntoto), ErrMismatchArtifact},
		"bad PEM":                        {fmt.Errorf("x: %w", serrors.ErrorInvalidPEM), ErrMalformed},
		"non-verifiable claim":           {fmt.Errorf("x: %w", serrors.ErrorNonVerifiableClaim), ErrMalformed},
		"no matching attestations":       {fmt.Errorf("x: %w", &cosign.ErrNoMatchingAttestations{}), ErrSignature},
		"no signatures found":            {&cosign.ErrNoSignaturesFound{}, ErrSignature},
	} {
		if got := classify(tt.err); !errors.Is(got, tt.want) || errors.Is(got, ErrUnavailable) {
			t.Errorf("%s: classify = %v, want %v", name, got, tt.want)
		}
	}
}

// TestOnlineHungServiceReturnsWithinTimeout gives the slsa-verifier path a
// service that never answers: Verify returns when the context ends, with
// ErrUnavailable. Without the deadline the test would hang.
func TestOnlineHungServiceReturnsWithinTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	hung := func(context.Context, []byte, string, *options.ProvenanceOpts, *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
		<-release // ignores its context, as slsa-verifier's TUF client does
		return nil, nil, errors.New("released")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	d, _ := digest.Parse(genericArtifact)
	_, err := Online{Artifact: hung, Attestation: hung}.Verify(ctx, readTestdata(t, "binary-linux-amd64-workflow_dispatch.intoto.jsonl"), d,
		Policy{SourceURI: exampleSource, BuilderID: genericBuilder})
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Verify = %v, want ErrUnavailable after the deadline", err)
	}
}

// TestOnlineRoutesGitHubAttestations: attest-build-provenance bundles go
// to slsa-verifier's GitHub attestation entry point with the options of
// the policy; a verdict from it is classified.
func TestOnlineRoutesGitHubAttestations(t *testing.T) {
	var called string
	var gotOpts *options.ProvenanceOpts
	fake := func(name string) SLSAFunc {
		return func(_ context.Context, _ []byte, _ string, po *options.ProvenanceOpts, _ *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
			called, gotOpts = name, po
			return nil, nil, fmt.Errorf("%w: no", serrors.ErrorMismatchSource)
		}
	}
	on := Online{Artifact: fake("artifact"), Attestation: fake("attestation")}
	p := Policy{SourceURI: bcrSource, BuilderID: bcrBuilder, SourceBranch: "publish-to-bcr"}
	_, err := on.Verify(context.Background(), readTestdata(t, "MODULE.bazel.intoto.jsonl"), moduleDigest(t), p)
	if called != "attestation" || !errors.Is(err, ErrMismatchSource) {
		t.Fatalf("called %q, err %v; want the attestation entry point and ErrMismatchSource", called, err)
	}
	if gotOpts.ExpectedDigest != moduleDigest(t).Hex || *gotOpts.ExpectedBranch != "publish-to-bcr" {
		t.Errorf("options = %+v", gotOpts)
	}
	_, _ = on.Verify(context.Background(), readTestdata(t, "binary-linux-amd64-workflow_dispatch.intoto.jsonl"), mustDigest(t, genericArtifact), p)
	if called != "artifact" {
		t.Errorf("SLSA generator provenance went to %q, want artifact", called)
	}
	// Delegated builders' provenance goes to VerifyArtifact, the entry
	// point that trusts the delegators, with the builder as expected ID.
	called = ""
	maven := Policy{SourceURI: exampleSource, BuilderID: mavenBuilder, SourceTag: "v13.0.30"}
	_, _ = on.Verify(context.Background(), readTestdata(t, mavenPush), byobArtifact(t, mavenPush), maven)
	if called != "artifact" || gotOpts.ExpectedDigest != byobArtifact(t, mavenPush).Hex || *gotOpts.ExpectedTag != "v13.0.30" {
		t.Errorf("delegated provenance went to %q with %+v, want artifact", called, gotOpts)
	}
}

// imageOracle is slsa-verifier v2.7.1's verdict on its container image
// test data (Test_runVerifyGHAArtifactImage, gha_generic_container at
// v2.1.0; the cases bounded to older builder versions are left out).
var imageOracle = []struct {
	name   string
	policy Policy
	slsa   error
}{
	{"default", Policy{SourceURI: exampleSource, BuilderID: containerGenerator}, nil},
	{"not-trusted builder", Policy{SourceURI: exampleSource, BuilderID: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/not-trusted.yml"}, serrors.ErrorUntrustedReusableWorkflow},
	{"branch main", Policy{SourceURI: exampleSource, BuilderID: containerGenerator, SourceBranch: "main"}, nil},
	{"branch master", Policy{SourceURI: exampleSource, BuilderID: containerGenerator, SourceBranch: "master"}, serrors.ErrorMismatchBranch},
	{"source append A", Policy{SourceURI: exampleSource + "A", BuilderID: containerGenerator}, serrors.ErrorMismatchSource},
	{"source prepend A", Policy{SourceURI: "Agithub.com/slsa-framework/example-package", BuilderID: containerGenerator}, serrors.ErrorMismatchSource},
	{"source middle A", Policy{SourceURI: "github.com/Aslsa-framework/example-package", BuilderID: containerGenerator}, serrors.ErrorMismatchSource},
	{"tag on a branch build", Policy{SourceURI: exampleSource, BuilderID: containerGenerator, SourceTag: "v1.2.3"}, serrors.ErrorInvalidRef},
	{"versioned tag on a branch build", Policy{SourceURI: exampleSource, BuilderID: containerGenerator, SourceVersionedTag: "v1"}, serrors.ErrorInvalidRef},
	{"builder version", Policy{SourceURI: exampleSource, BuilderID: containerGenerator + "@v2.1.0"}, nil},
	{"builder version ref", Policy{SourceURI: exampleSource, BuilderID: containerGenerator + "@refs/tags/v2.1.0"}, nil},
}

// TestPathsAgreeImages runs slsa-verifier's image oracle on the real
// container provenance, pushed to an in-process registry: the offline path
// verifies the attestation found at the image's digest; the slsa-verifier
// path calls VerifyImage, replaced here by the oracle's recorded answer
// since it needs the network, with the digest reference and the options
// its verify-image command builds. Both must reach the same verdict for
// the same reason.
func TestPathsAgreeImages(t *testing.T) {
	img := pushReal(t, newRegistry(t, true))
	atts, _, err := FindAttestations(context.Background(), img)
	if err != nil || len(atts) != 1 {
		t.Fatalf("attestations %+v, %v", atts, err)
	}
	o := newOffline(t)
	for _, tt := range imageOracle {
		t.Run(tt.name, func(t *testing.T) {
			_, offline := o.VerifyImage(atts[0], img.Digest, tt.policy)
			var gotImage string
			var gotProvenance []byte
			var gotOpts *options.ProvenanceOpts
			var gotBuilder *options.BuilderOpts
			on := Online{Image: func(_ context.Context, image string, provenance []byte, po *options.ProvenanceOpts, bo *options.BuilderOpts) ([]byte, *utils.TrustedBuilderID, error) {
				gotImage, gotProvenance, gotOpts, gotBuilder = image, provenance, po, bo
				if tt.slsa != nil {
					return nil, nil, fmt.Errorf("verifying: %w", tt.slsa)
				}
				return nil, nil, nil
			}}
			_, online := on.VerifyImage(context.Background(), img, atts, tt.policy)
			switch {
			case online == nil && offline != nil:
				t.Fatalf("slsa-verifier passes, the offline path denies: %v", offline)
			case online != nil && offline == nil:
				t.Fatalf("slsa-verifier denies (%v), the offline path passes", online)
			case online != nil && !errors.Is(offline, sentinelOf(online)):
				t.Fatalf("different reasons: slsa-verifier %v, offline %v", online, offline)
			}
			if gotImage != img.Ref.String() || !strings.Contains(gotImage, "@"+containerImageDigest) || gotProvenance != nil {
				t.Errorf("VerifyImage(%q, %q), want the digest reference %s and no provenance (read from the registry)", gotImage, gotProvenance, img.Ref)
			}
			if want := cliOptions(tt.policy, img.Digest.Hex); !reflect.DeepEqual(gotOpts, want) {
				t.Errorf("ProvenanceOpts = %+v, verify-image builds %+v", gotOpts, want)
			}
			if gotBuilder == nil || gotBuilder.ExpectedID == nil || *gotBuilder.ExpectedID != tt.policy.BuilderID {
				t.Errorf("BuilderOpts = %+v, want ExpectedID %q", gotBuilder, tt.policy.BuilderID)
			}
		})
	}
}
