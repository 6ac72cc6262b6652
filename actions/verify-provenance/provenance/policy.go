package provenance

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/slsa-framework/slsa-verifier/v2/options"
	"github.com/slsa-framework/slsa-verifier/v2/verifiers/utils"
	"golang.org/x/mod/semver"
)

// ActionsIssuer is the OIDC issuer of GitHub Actions tokens: the only
// issuer whose certificates this package accepts for provenance.
const ActionsIssuer = "https://token.actions.githubusercontent.com"

// Policy is what a provenance must say for the artifact to be accepted.
// Empty optional fields are not checked.
type Policy struct {
	// SourceURI is the repository the artifact must be built from, as
	// slsa-verifier's --source-uri: "github.com/owner/repo" (a scheme or a
	// git+ prefix is accepted too). Required.
	SourceURI string `json:"sourceUri"`
	// BuilderID is the builder that must have made the provenance, the
	// reusable workflow "https://github.com/<owner>/<repo>/.github/
	// workflows/<file>", optionally with "@<version>" ("@v2.1.0" or
	// "@refs/tags/v2.1.0") to pin the builder's version. Required.
	BuilderID string `json:"builderId"`
	// SourceBranch is the branch the build ran on (for a tag push, the
	// branch the tag was pushed from).
	SourceBranch string `json:"sourceBranch,omitempty"`
	// SourceTag is the exact tag the build ran on.
	SourceTag string `json:"sourceTag,omitempty"`
	// SourceVersionedTag is a semantic version the build's tag must match
	// at the precision given: "v1" accepts any v1.x.y, "v1.2" any v1.2.y.
	SourceVersionedTag string `json:"sourceVersionedTag,omitempty"`
	// WorkflowInputs are workflow inputs the build must have had.
	WorkflowInputs map[string]string `json:"workflowInputs,omitempty"`
}

// Policy field names, as errors name them.
const (
	FieldSourceURI          = "source-uri"
	FieldBuilderID          = "builder-id"
	FieldSourceTag          = "source-tag"
	FieldSourceVersionedTag = "source-versioned-tag"
)

// FieldError is a policy field with an unusable value.
type FieldError struct {
	Field, Value, Problem string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Problem)
}

// Validate refuses a policy that cannot be checked: a missing source or
// builder, a builder ID that is not a workflow URL, both a tag and a
// versioned tag, a versioned tag that is not a semantic version.
func (p Policy) Validate() error {
	var errs []error
	if strings.TrimSpace(p.SourceURI) == "" {
		errs = append(errs, &FieldError{FieldSourceURI, p.SourceURI, "is required"})
	}
	if strings.TrimSpace(p.BuilderID) == "" {
		errs = append(errs, &FieldError{FieldBuilderID, p.BuilderID, "is required"})
	} else if !strings.HasPrefix(p.BuilderID, "https://") {
		errs = append(errs, &FieldError{FieldBuilderID, p.BuilderID, `want the builder workflow's URL, "https://github.com/<owner>/<repo>/.github/workflows/<file>[@<version>]"`})
	} else if _, _, err := utils.ParseBuilderID(p.BuilderID, false); err != nil {
		errs = append(errs, &FieldError{FieldBuilderID, p.BuilderID, err.Error()})
	}
	if p.SourceTag != "" && p.SourceVersionedTag != "" {
		errs = append(errs, &FieldError{FieldSourceVersionedTag, p.SourceVersionedTag, "cannot be combined with " + FieldSourceTag})
	}
	if p.SourceVersionedTag != "" && !semver.IsValid(p.SourceVersionedTag) {
		errs = append(errs, &FieldError{FieldSourceVersionedTag, p.SourceVersionedTag, `want a semantic version such as "v1", "v1.2" or "v1.2.3"`})
	}
	return errors.Join(errs...)
}

// builderName is the builder ID without its version, for the certificate
// identity the signature must come from.
func (p Policy) builderName() string { return workflowName(p.BuilderID) }

// Check compares verified claims of an artifact's provenance with the
// policy and returns every mismatch, each wrapping one of the package's
// sentinels. It uses slsa-verifier's own helpers for builder IDs, refs and
// versioned tags. Provenance signed by a delegator of the SLSA GitHub
// generator is checked by the delegated-builder rules (see
// [DelegatorGeneric]).
func (p Policy) Check(c *Claims) error { return p.check(c, true) }

// CheckImage is [Policy.Check] for an image's provenance, and for GitHub
// artifact attestations: no delegator is trusted to vouch for another
// builder, as slsa-verifier's VerifyImage and VerifyGithubAttestation
// trust none.
func (p Policy) CheckImage(c *Claims) error { return p.check(c, false) }

// generatorRepo is where slsa-github-generator's builder workflows live.
const generatorRepo = "https://github.com/slsa-framework/slsa-github-generator/"

func (p Policy) check(c *Claims, delegation bool) error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }

	// The builder: the workflow the certificate was issued to, which the
	// statement's builder.id must repeat; or, for a trusted delegator, the
	// builder the statement names.
	signer := c.Signer
	if signer == "" {
		signer = c.BuilderID
	}
	if c.Issuer != "" && c.Issuer != ActionsIssuer {
		add(fmt.Errorf("%w: expected certificate issuer %q, got %q", ErrUntrustedBuilder, ActionsIssuer, c.Issuer))
	}
	if delegation && c.Signer != "" && isDelegator(c.Signer) {
		errs = append(errs, p.checkDelegated(c)...)
	} else {
		if trusted, err := utils.TrustedBuilderIDNew(signer, true); err != nil {
			add(fmt.Errorf("%w: expected %q, got %q (%v)", ErrUntrustedBuilder, p.BuilderID, signer, err))
		} else if err := trusted.MatchesLoose(p.BuilderID, true); err != nil {
			add(fmt.Errorf("%w: expected %q, got %q", ErrUntrustedBuilder, p.BuilderID, signer))
		}
		if c.Signer != "" && c.BuilderID != c.Signer {
			add(fmt.Errorf("%w: expected builder.id %q (the certificate's identity), got %q", ErrCertificateMismatch, c.Signer, c.BuilderID))
		}
		// slsa-github-generator's builders are trusted at their release
		// tags only, as slsa-verifier trusts them: at a branch, a commit
		// or a pull request's ref, the builder's code is anybody's. A
		// repository's own workflow (attest-build-provenance) has no
		// releases to require.
		if name, ref, _ := strings.Cut(signer, "@"); strings.HasPrefix(name, generatorRepo) {
			if err := utils.IsValidBuilderTag(ref, false); err != nil {
				add(fmt.Errorf("%w: expected the builder %q at a release tag vX.Y.Z, got %q", ErrUntrustedBuilder, workflowName(signer), ref))
			}
		}
	}

	// The source repository: the certificate's, which the statement must
	// repeat.
	want, _, _ := utils.ParseGitURIAndRef(utils.NormalizeGitURI(strings.TrimSpace(p.SourceURI)))
	source := c.Source
	if c.CertificateSource != "" {
		source = utils.NormalizeGitURI(c.CertificateSource)
		if source != c.Source {
			add(fmt.Errorf("%w: expected the statement's source %q, got %q", ErrCertificateMismatch, source, c.Source))
		}
	} else if c.Signer != "" {
		add(fmt.Errorf("%w: expected the certificate to name the source repository, got none", ErrCertificateMismatch))
	}
	if source != want {
		add(fmt.Errorf("%w: expected %q, got %q", ErrMismatchSource, trimGit(want), trimGit(source)))
	}

	// The ref.
	ref := c.Ref
	if c.CertificateRef != "" {
		if c.Ref != "" && c.Ref != c.CertificateRef {
			add(fmt.Errorf("%w: expected the statement's ref %q, got %q", ErrCertificateMismatch, c.CertificateRef, c.Ref))
		}
		ref = c.CertificateRef
	}
	if p.SourceTag != "" || p.SourceVersionedTag != "" {
		tag, err := utils.TagFromGitRef(ref)
		switch {
		case err != nil:
			add(fmt.Errorf("%w: expected a tag, got %q", ErrInvalidRef, ref))
		case p.SourceTag != "" && tag != p.SourceTag:
			add(fmt.Errorf("%w: expected %q, got %q", ErrMismatchTag, p.SourceTag, tag))
		case p.SourceVersionedTag != "":
			if err := utils.VerifyVersionedTag(tag, p.SourceVersionedTag); err != nil {
				add(fmt.Errorf("%w: expected %q, got %q", ErrMismatchVersionedTag, p.SourceVersionedTag, tag))
			}
		}
	}
	if p.SourceBranch != "" {
		branchRef := ref
		if strings.HasPrefix(ref, "refs/tags/") {
			branchRef = c.BaseRef
		}
		branch, err := utils.BranchFromGitRef(branchRef)
		if err != nil || branch != p.SourceBranch {
			add(fmt.Errorf("%w: expected %q, got %q", ErrMismatchBranch, p.SourceBranch, branchRef))
		}
	}

	// Workflow inputs, in a stable order for the message.
	for _, k := range slices.Sorted(maps.Keys(p.WorkflowInputs)) {
		got, ok := c.Inputs[k]
		switch {
		case !ok:
			add(fmt.Errorf("%w: expected input %q to be %q, got no such input", ErrMismatchInputs, k, p.WorkflowInputs[k]))
		case got != p.WorkflowInputs[k]:
			add(fmt.Errorf("%w: expected input %q to be %q, got %q", ErrMismatchInputs, k, p.WorkflowInputs[k], got))
		}
	}
	return errors.Join(errs...)
}

func trimGit(uri string) string {
	return strings.TrimPrefix(strings.TrimPrefix(uri, "git+"), "https://")
}

// SLSAOptions translates the policy into slsa-verifier's options, as its
// command line builds them from --source-uri, --builder-id, --source-tag,
// --source-versioned-tag, --source-branch and --build-workflow-input.
// artifactSHA256 is the artifact's SHA-256 in hex.
func (p Policy) SLSAOptions(artifactSHA256 string) (*options.ProvenanceOpts, *options.BuilderOpts) {
	prov := &options.ProvenanceOpts{
		ExpectedSourceURI: strings.TrimSpace(p.SourceURI),
		ExpectedDigest:    artifactSHA256,
	}
	if p.SourceBranch != "" {
		prov.ExpectedBranch = &p.SourceBranch
	}
	if p.SourceTag != "" {
		prov.ExpectedTag = &p.SourceTag
	}
	if p.SourceVersionedTag != "" {
		prov.ExpectedVersionedTag = &p.SourceVersionedTag
	}
	if len(p.WorkflowInputs) > 0 {
		prov.ExpectedWorkflowInputs = maps.Clone(p.WorkflowInputs)
	}
	builder := &options.BuilderOpts{}
	if p.BuilderID != "" {
		id := p.BuilderID
		builder.ExpectedID = &id
	}
	return prov, builder
}
