package provenance

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

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
}
