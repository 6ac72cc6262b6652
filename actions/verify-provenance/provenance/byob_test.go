package provenance

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubgates/hub/actions/verify-provenance/provenance/provenancetest"
	"github.com/hubgates/hub/shared/digest"
)

// The delegated (BYOB) builders of slsa-verifier's test data, v2.1.0:
// the example trusted reusable workflow signed through
// delegator_generic_slsa3.yml, and the Maven and Gradle builders signed
// through delegator_lowperms-generic_slsa3.yml.
const (
	delegatorBuilder = "https://github.com/slsa-framework/example-trw/.github/workflows/builder_high-perms_slsa3.yml"
	mavenBuilder     = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_maven_slsa3.yml"
	gradleBuilder    = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_gradle_slsa3.yml"

	delegatorDispatch = "delegator-binary-linux-amd64-workflow_dispatch.build.slsa"
	delegatorPush     = "delegator-binary-linux-amd64-push-v13.0.30.build.slsa"
	mavenPush         = "maven-binary-linux-amd64-push-v13.0.30.build.slsa"
	gradleDispatch    = "gradle-binary-linux-amd64-workflow_dispatch.build.slsa"
)

// byobArtifact is the digest of the artifact a BYOB provenance file is
// for: the file of the same name without ".build.slsa".
func byobArtifact(t *testing.T, provenance string) digest.Digest {
	t.Helper()
	d, _, err := digest.FromFile(digest.SHA256, filepath.Join("testdata", strings.TrimSuffix(provenance, ".build.slsa")))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDelegatedBuildersOffline verifies the real BYOB provenance offline:
// the certificate names the delegator, the policy names the builder, and
// every rule of the artifact path applies to the builder's claims.
func TestDelegatedBuildersOffline(t *testing.T) {
	o := newOffline(t)
	tests := []struct {
		name     string
		file     string
		policy   Policy
		want     error
		wantText string
	}{
		{"delegator", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceBranch: "main"}, nil, ""},
		{"delegator pinned", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder + "@v2.1.0"}, nil, ""},
		{"delegator pinned ref", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder + "@refs/tags/v2.1.0"}, nil, ""},
		{"maven tag", mavenPush, Policy{SourceURI: exampleSource, BuilderID: mavenBuilder, SourceTag: "v13.0.30", SourceBranch: "main"}, nil, ""},
		{"maven versioned", mavenPush, Policy{SourceURI: exampleSource, BuilderID: mavenBuilder, SourceVersionedTag: "v13.0"}, nil, ""},
		{"gradle", gradleDispatch, Policy{SourceURI: exampleSource, BuilderID: gradleBuilder + "@v2.1.0"}, nil, ""},

		{"the delegator as the builder", mavenPush, Policy{SourceURI: exampleSource, BuilderID: DelegatorLowPermsGeneric},
			ErrUntrustedBuilder, `expected "` + DelegatorLowPermsGeneric + `", got "` + mavenBuilder + `@refs/tags/v2.1.0" (delegated through`},
		{"another BYOB builder", mavenPush, Policy{SourceURI: exampleSource, BuilderID: gradleBuilder}, ErrUntrustedBuilder, ""},
		{"not-trusted builder", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/not-trusted.yml"}, ErrUntrustedBuilder, ""},
		{"wrong builder version", gradleDispatch, Policy{SourceURI: exampleSource, BuilderID: gradleBuilder + "@v2.0.0"}, ErrUntrustedBuilder, ""},
		{"generic generator", gradleDispatch, Policy{SourceURI: exampleSource, BuilderID: genericBuilder}, ErrUntrustedBuilder, ""},
		{"fork", mavenPush, Policy{SourceURI: "github.com/attacker/example-package", BuilderID: mavenBuilder}, ErrMismatchSource, ""},
		{"branch master", delegatorDispatch, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceBranch: "master"}, ErrMismatchBranch, ""},
		{"tag on a branch build", gradleDispatch, Policy{SourceURI: exampleSource, BuilderID: gradleBuilder, SourceTag: "v1.2.3"}, ErrInvalidRef, ""},
		{"wrong tag", delegatorPush, Policy{SourceURI: exampleSource, BuilderID: delegatorBuilder, SourceTag: "v13.0"}, ErrMismatchTag, ""},
		{"wrong versioned tag", mavenPush, Policy{SourceURI: exampleSource, BuilderID: mavenBuilder, SourceVersionedTag: "v13.1"}, ErrMismatchVersionedTag, ""},
		{"push has no inputs", mavenPush, Policy{SourceURI: exampleSource, BuilderID: mavenBuilder, WorkflowInputs: map[string]string{"jdk-version": "17"}}, ErrMismatchInputs, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := o.Verify(readTestdata(t, tt.file), byobArtifact(t, tt.file), tt.policy)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if rep.Claims.Delegator == "" || !strings.HasPrefix(rep.Claims.BuilderID, workflowName(tt.policy.BuilderID)+"@refs/tags/") {
					t.Errorf("claims %+v", rep.Claims)
				}
				return
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Verify = %v, want %v saying %q", err, tt.want, tt.wantText)
			}
		})
	}
}

// TestDelegatedRules signs BYOB provenance that breaks each of
// slsa-verifier's delegated-builder rules, with a private Sigstore: only
// the well-formed one passes.
func TestDelegatedRules(t *testing.T) {
	s, o := virtual(t)
	artifact := digest.FromBytes(digest.SHA256, []byte("app.jar"))
	sign := func(t *testing.T, signer, builderID string, statement func(provenancetest.Build) []byte) []byte {
		t.Helper()
		a, err := s.Attest(provenancetest.Run{Workflow: signer, Repository: appRepo, Ref: "refs/tags/v1.0.0"},
			statement(provenancetest.Build{BuilderID: builderID, Repository: appRepo, Ref: "refs/tags/v1.0.0",
				Subjects: []provenancetest.Subject{{Name: "app.jar", SHA256: artifact.Hex}}}))
		if err != nil {
			t.Fatal(err)
		}
		return a.Bundle
	}
	p := Policy{SourceURI: appSource, BuilderID: mavenBuilder, SourceTag: "v1.0.0"}
	tests := []struct {
		name, signer, builderID string
		statement               func(provenancetest.Build) []byte
		want                    error
		wantText                string
	}{
		{"well formed", DelegatorGeneric + "@refs/tags/v2.1.0", mavenBuilder + "@refs/tags/v2.1.0", provenancetest.DelegatedStatement, nil, ""},
		{"delegator at a branch", DelegatorGeneric + "@refs/heads/main", mavenBuilder + "@refs/tags/v2.1.0", provenancetest.DelegatedStatement,
			ErrUntrustedBuilder, `expected the delegator "` + DelegatorGeneric + `" at a release tag vX.Y.Z, got "refs/heads/main"`},
		{"delegator at a short tag", DelegatorLowPermsGeneric + "@refs/tags/v2.1", mavenBuilder + "@refs/tags/v2.1.0", provenancetest.DelegatedStatement,
			ErrUntrustedBuilder, "at a release tag"},
		{"builder without a ref", DelegatorGeneric + "@refs/tags/v2.1.0", mavenBuilder, provenancetest.DelegatedStatement,
			ErrUntrustedBuilder, "as <workflow>@<ref>"},
		{"builder at a branch", DelegatorGeneric + "@refs/tags/v2.1.0", mavenBuilder + "@refs/heads/main", provenancetest.DelegatedStatement,
			ErrUntrustedBuilder, `expected the delegated builder "` + mavenBuilder + `" at a release tag, got "refs/heads/main"`},
		{"another build type", DelegatorGeneric + "@refs/tags/v2.1.0", mavenBuilder + "@refs/tags/v2.1.0", provenancetest.ContainerGeneratorStatement,
			ErrMalformed, BYOBBuildType},
		{"a fork's delegator", "https://github.com/attacker/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml@refs/tags/v2.1.0",
			mavenBuilder + "@refs/tags/v2.1.0", provenancetest.DelegatedStatement, ErrUntrustedBuilder, "expected a signature by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := o.Verify(sign(t, tt.signer, tt.builderID, tt.statement), artifact, p)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("Verify = %v, want %v saying %q", err, tt.want, tt.wantText)
			}
		})
	}
}
