package provenance

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
)

const gateName = "verify-provenance"

// The gate's own inputs.
const (
	inputArtifacts      = "artifacts"
	inputImages         = "images"
	inputProvenance     = "provenance"
	inputDigest         = "digest"
	inputSourceURI      = FieldSourceURI
	inputBuilderID      = FieldBuilderID
	inputSourceBranch   = "source-branch"
	inputSourceTag      = FieldSourceTag
	inputVersionedTag   = FieldSourceVersionedTag
	inputWorkflowInputs = "build-workflow-inputs"
	inputTrustedRoot    = "trusted-root"
	inputTimeout        = "timeout"
)

// The gate's own outputs.
const (
	outputPath           = "verification-path"
	outputVerified       = "verified"
	outputVerifiedImages = "verified-images"
	outputBuilderID      = "builder-id"
	outputSourceRef      = "source-ref"
)

// The rules of the gate's findings, one per kind of failure.
const (
	RuleUntrustedBuilder = "untrusted-builder"
	RuleSourceMismatch   = "source-mismatch"
	RuleRefMismatch      = "ref-mismatch"
	RuleInputsMismatch   = "inputs-mismatch"
	RuleNotAttested      = "artifact-not-attested"
	RuleBadSignature     = "provenance-invalid"
	RuleMissing          = "provenance-missing"
)

const helpBase = "https://github.com/hubgates/hub/blob/main/actions/verify-provenance/README.md#"

// Rules are every rule a finding of the gate can carry.
var Rules = []finding.Rule{
	{ID: RuleUntrustedBuilder, Severity: finding.Critical, Summary: "The provenance was made or signed by another builder than the one expected.",
		Help: "Only the builder named by builder-id may vouch for the artifact; another workflow could claim anything.", HelpURI: helpBase + "untrusted-builder"},
	{ID: RuleSourceMismatch, Severity: finding.Critical, Summary: "The artifact was built from another repository than source-uri.",
		Help: "A fork or another repository built this artifact.", HelpURI: helpBase + "source-mismatch"},
	{ID: RuleRefMismatch, Severity: finding.High, Summary: "The artifact was built from another branch or tag than the policy allows.",
		Help: "Check source-branch, source-tag and source-versioned-tag against the release you expect.", HelpURI: helpBase + "ref-mismatch"},
	{ID: RuleInputsMismatch, Severity: finding.High, Summary: "The build ran with other workflow inputs than expected.",
		Help: "A workflow_dispatch input changed how the artifact was built.", HelpURI: helpBase + "inputs-mismatch"},
	{ID: RuleNotAttested, Severity: finding.Critical, Summary: "The artifact's or image's digest is not a subject of the provenance.",
		Help: "The provenance is about other bytes: the artifact was changed or swapped after the build, or the image's attestation was copied from another image.", HelpURI: helpBase + "artifact-not-attested"},
	{ID: RuleMissing, Severity: finding.Critical, Summary: "No SLSA provenance is attached to the image's digest in its registry.",
		Help: "The image was not built by a builder that attests, its tag now names another image, or its attestations were pushed elsewhere.", HelpURI: helpBase + "provenance-missing"},
	{ID: RuleBadSignature, Severity: finding.Critical, Summary: "The provenance is malformed or its signature does not verify against the trusted root.",
		Help: "The bundle was altered, or was not signed through the trusted Sigstore instance.", HelpURI: helpBase + "provenance-invalid"},
}

// Gate is verify-provenance as a hub gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "verify SLSA provenance",
		Description: "Verifies SLSA provenance and GitHub artifact attestations for artifacts and OCI images: the provenance must be signed through Sigstore by the expected builder " +
			"for the expected source repository, and may be required to come from a branch, a tag or a semantic version, and with given workflow inputs. " +
			"An image is resolved to its digest once, and only provenance attached to that digest in its registry counts (cosign's sha256-<hex>.att tag or OCI referrers). " +
			"Delegated builders of the SLSA GitHub generator (Maven, Gradle, your own through the BYOB delegators) are accepted for artifacts by their builder ID. " +
			"With a trusted-root file it verifies offline with sigstore-go and calls no Sigstore service (images are still read from their registry); without one it runs slsa-verifier v2.7.1, which fetches the Sigstore trust root over the network. " +
			"The summary says which path ran.",
		Inputs: []gate.Input{
			{Name: inputArtifacts, Kind: gate.List,
				Description: "Artifact files to verify, relative to the workspace; each must be a subject of the provenance. Files are read inside the workspace only: a link that leads out of it is refused (exit 2). One of artifacts, images and digest is required."},
			{Name: inputImages, Kind: gate.List,
				Description: "OCI image references to verify, one per line. Each is resolved to its digest once; the SLSA provenance attached to that digest in the registry (cosign's sha256-<hex>.att tag, or Sigstore bundles among the OCI referrers) must name the digest as its subject. Credentials come from the Docker config (DOCKER_CONFIG or ~/.docker/config.json)."},
			{Name: inputProvenance, Kind: gate.Path,
				Description: "The provenance of artifacts: a Sigstore bundle (.intoto.jsonl or .build.slsa of the SLSA GitHub generator, .sigstore.json of attest-build-provenance), or several, one per line. Required with artifacts or digest; images carry theirs in the registry."},
			{Name: inputDigest, Kind: gate.String,
				Description: "Verify the artifact with this SHA-256 digest (sha256:<hex>, or bare hex) instead of a file, when the file is not in the workspace: it must be a subject of the provenance the provenance input names; artifacts stays empty."},
			{Name: inputSourceURI, Kind: gate.String, Required: true,
				Description: "The repository the artifacts and images must be built from, as github.com/<owner>/<repo>."},
			{Name: inputBuilderID, Kind: gate.String, Required: true,
				Description: "The builder that must have made the provenance: its reusable workflow, https://github.com/<owner>/<repo>/.github/workflows/<file>, optionally with @<version> (@v2.1.0 or @refs/tags/v2.1.0) to pin the builder's version. For a delegated builder of the SLSA GitHub generator (builder_maven_slsa3.yml, builder_gradle_slsa3.yml, your own BYOB builder), the builder, never the delegator workflow that signs for it."},
			{Name: inputSourceBranch, Kind: gate.String,
				Description: "The branch the build must have run on (for a tag push, the branch the tag was pushed from)."},
			{Name: inputSourceTag, Kind: gate.String,
				Description: "The exact tag the build must have run on."},
			{Name: inputVersionedTag, Kind: gate.String,
				Description: "A semantic version the build's tag must match at the precision given: v1 accepts v1.x.y, v1.2 accepts v1.2.y."},
			{Name: inputWorkflowInputs, Kind: gate.List,
				Description: "Workflow inputs the build must have had, as name=value items."},
			{Name: inputTrustedRoot, Kind: gate.Path,
				Description: "A Sigstore trusted_root.json. When given, verification runs offline with sigstore-go and calls no Sigstore service (artifacts need no network at all; images are read from their registry); when empty, slsa-verifier verifies online."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "120s",
				Description: "Longest time for the whole verification; when it passes, the gate exits 3 naming the service that did not answer."},
		},
		Outputs: []gate.Output{
			{Name: outputPath, Description: "Which path verified: offline (sigstore-go with trusted-root) or slsa-verifier."},
			{Name: outputVerified, Description: "Number of artifacts and images whose provenance verified and satisfied the policy."},
			{Name: outputVerifiedImages, Description: "Each image whose provenance verified, as its digest reference (registry/repo@sha256:...), one per line: deploy these, not the tags."},
			{Name: outputBuilderID, Description: "The verified builder ID (when every artifact and image verified with the same builder); for a delegated builder, the builder, not the delegator."},
			{Name: outputSourceRef, Description: "The verified source ref (when every artifact and image verified from the same ref)."},
		},
		Rules: Rules,
	},
	Run: run,
}

// paths are the two verification paths, ready for the run.
type paths struct {
	name     string
	artifact func(ctx context.Context, bundle []byte, artifact digest.Digest) (*Report, error)
	image    func(ctx context.Context, img ociref.Image, atts []Attestation) (*Report, error)
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	p, err := policyFromInputs(in)
	if err != nil {
		return nil, err
	}
	names, images := in.List(inputArtifacts), in.List(inputImages)
	byDigest, err := digestSubject(in, names)
	if err != nil {
		return nil, err
	}
	if err := checkSubjects(in, names, images, byDigest); err != nil {
		return nil, err
	}
	timeout := in.Duration(inputTimeout)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("verification did not finish within the timeout of %v", timeout))
	defer cancel()

	t := newTally()
	v, err := choosePath(in, p, t)
	if err != nil {
		return nil, err
	}
	t.res.Outputs[outputPath] = v.name

	if len(names) > 0 || byDigest != nil {
		if err := verifyArtifacts(ctx, in, v, names, byDigest, t); err != nil {
			return nil, err
		}
	}
	opts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	for _, ref := range images {
		if err := verifyImage(ctx, v, ref, t, opts...); err != nil {
			return nil, err
		}
	}
	artifacts := len(names)
	if byDigest != nil {
		artifacts = 1
	}
	return t.result(in, p, v.name, artifacts, len(images)), nil
}

// digestSubject reads the digest input: the artifact known by its
// digest, nil when the input is empty.
func digestSubject(in *gate.Inputs, names []string) (*digest.Digest, error) {
	raw := in.String(inputDigest)
	if raw == "" {
		return nil, nil
	}
	if len(names) > 0 {
		return nil, gate.BadInputf(inputDigest, raw, "is given with artifacts; give the file or its digest")
	}
	d, err := digest.Parse(raw)
	if err != nil {
		return nil, gate.BadInputf(inputDigest, raw, "%v", err)
	}
	if d.Algorithm != digest.SHA256 {
		return nil, gate.BadInputf(inputDigest, raw, "want a sha256 digest, as SLSA provenance names its subjects")
	}
	return &d, nil
}

// checkSubjects refuses a run with nothing to verify, artifacts (or a
// digest) without their provenance, provenance without artifacts, and
// image references that do not parse.
func checkSubjects(in *gate.Inputs, names, images []string, byDigest *digest.Digest) error {
	switch {
	case len(names) == 0 && len(images) == 0 && byDigest == nil:
		return gate.BadInputf(inputArtifacts, "", "is required unless images or digest is given")
	case len(names) > 0 && in.Path(inputProvenance) == "":
		return gate.BadInputf(inputProvenance, "", "is required with artifacts")
	case byDigest != nil && in.Path(inputProvenance) == "":
		return gate.BadInputf(inputProvenance, "", "is required with digest: it names the provenance of the artifact")
	case len(names) == 0 && byDigest == nil && in.Path(inputProvenance) != "":
		return gate.BadInputf(inputProvenance, in.Raw(inputProvenance), "names the provenance of artifacts, but artifacts and digest are empty (images carry theirs in the registry)")
	}
	for _, ref := range images {
		if _, err := ociref.Parse(ref); err != nil {
			return gate.BadInputf(inputImages, ref, "%v", err)
		}
	}
	return nil
}

// choosePath builds the offline path when a trusted root is given, the
// slsa-verifier path otherwise.
func choosePath(in *gate.Inputs, p Policy, t *tally) (paths, error) {
	if in.Path(inputTrustedRoot) == "" {
		on := Online{}
		return paths{name: "slsa-verifier",
			artifact: func(ctx context.Context, b []byte, a digest.Digest) (*Report, error) { return on.Verify(ctx, b, a, p) },
			image: func(ctx context.Context, img ociref.Image, atts []Attestation) (*Report, error) {
				return on.VerifyImage(ctx, img, atts, p)
			}}, nil
	}
	b, err := in.ReadFile(inputTrustedRoot, maxTrustedRoot)
	if err != nil {
		return paths{}, err
	}
	tr, err := sigstore.ParseTrustedRoot(b)
	if err != nil {
		return paths{}, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
	}
	off, err := NewOffline(tr)
	if err != nil {
		return paths{}, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
	}
	t.res.Read = append(t.res.Read, evidence.Artifact{Path: readName(in, inputTrustedRoot), Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))})
	return paths{name: "offline",
		artifact: func(_ context.Context, b []byte, a digest.Digest) (*Report, error) { return off.Verify(b, a, p) },
		image: func(ctx context.Context, img ociref.Image, atts []Attestation) (*Report, error) {
			return verifyAny(ctx, atts, func(_ context.Context, a Attestation) (*Report, error) { return off.VerifyImage(a, img.Digest, p) })
		}}, nil
}

// Bounds on what is read whole from the workspace: a trusted root is a
// few kilobytes; provenance lists the build's subjects, which a release
// of many files makes long, but not this long.
const (
	maxTrustedRoot = 4 << 20
	maxProvenance  = 64 << 20
)

// verifyArtifacts checks each artifact file, or the artifact known by
// byDigest, against the provenance file, read through the workspace root.
func verifyArtifacts(ctx context.Context, in *gate.Inputs, v paths, names []string, byDigest *digest.Digest, t *tally) error {
	provData, err := in.ReadFile(inputProvenance, maxProvenance)
	if err != nil {
		return err
	}
	t.res.Read = append(t.res.Read, evidence.Artifact{Path: readName(in, inputProvenance), Digest: digest.FromBytes(digest.SHA256, provData).String(), Size: int64(len(provData))})
	bundles := splitBundles(provData)
	if len(bundles) == 0 {
		return gate.BadInputf(inputProvenance, in.Raw(inputProvenance), "the file is empty")
	}
	check := func(label, path string, d digest.Digest) error {
		rep, err := verifyAny(ctx, bundles, func(ctx context.Context, b []byte) (*Report, error) { return v.artifact(ctx, b, d) })
		if err != nil && (ctx.Err() != nil || errors.Is(err, ErrUnavailable)) {
			return fmt.Errorf("verifying %s (%s path): %w", label, v.name, err)
		}
		t.add(label, path, d, rep, err)
		return nil
	}
	if byDigest != nil {
		// Not a file of the repository: no annotation location.
		return check(byDigest.String(), "", *byDigest)
	}
	for _, name := range names {
		d, err := artifactDigest(in, name)
		if err != nil {
			return err
		}
		t.res.Read = append(t.res.Read, evidence.Artifact{Path: name, Digest: d.String()})
		if err := check(name, name, d); err != nil {
			return err
		}
	}
	return nil
}

// verifyImage resolves ref to its digest once, finds the provenance
// attached to that digest and verifies it. A registry that cannot be read
// leaves the run undecided, never passed or denied.
func verifyImage(ctx context.Context, v paths, ref string, t *tally, opts ...remote.Option) error {
	img, err := ociref.Resolve(ctx, ref, opts...)
	if err != nil {
		return err
	}
	t.res.Read = append(t.res.Read, evidence.Artifact{Path: img.String(), Digest: img.Digest.String()})
	atts, skipped, err := FindAttestations(ctx, img, opts...)
	if err != nil {
		return fmt.Errorf("finding the provenance of %s: %w", img, err)
	}
	for _, a := range atts {
		t.res.Read = append(t.res.Read, evidence.Artifact{Path: a.Location, Digest: a.Digest.String()})
	}
	label := ref
	if ref != img.String() {
		label = ref + " (" + img.String() + ")"
	}
	if len(atts) == 0 {
		t.missing(label, img, skipped)
		return nil
	}
	rep, err := v.image(ctx, img, atts)
	if err != nil && (ctx.Err() != nil || errors.Is(err, ErrUnavailable)) {
		return fmt.Errorf("verifying %s (%s path): %w", img, v.name, err)
	}
	t.add(label, "", img.Digest, rep, err)
	if err == nil {
		t.images = append(t.images, img.String())
	}
	return nil
}

// policyFromInputs builds and validates the policy, naming the input of
// any problem.
func policyFromInputs(in *gate.Inputs) (Policy, error) {
	p := Policy{
		SourceURI:          in.String(inputSourceURI),
		BuilderID:          in.String(inputBuilderID),
		SourceBranch:       in.String(inputSourceBranch),
		SourceTag:          in.String(inputSourceTag),
		SourceVersionedTag: in.String(inputVersionedTag),
	}
	for _, kv := range in.List(inputWorkflowInputs) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return p, gate.BadInputf(inputWorkflowInputs, kv, "want name=value")
		}
		if p.WorkflowInputs == nil {
			p.WorkflowInputs = map[string]string{}
		}
		p.WorkflowInputs[strings.TrimSpace(k)] = v
	}
	if err := p.Validate(); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return p, &gate.InputError{Input: fe.Field, Value: fe.Value, Problem: fe.Problem, Err: err}
		}
		return p, err
	}
	return p, nil
}
