package provenance

import (
	"fmt"
	"strings"

	"github.com/slsa-framework/slsa-verifier/v2/verifiers/utils"
)

// The delegator workflows of the SLSA GitHub generator's "bring your own
// builder" framework (BYOB). A BYOB builder (the Maven and Gradle builders,
// or a project's own trusted reusable workflow) calls one of them to sign
// its provenance, so the certificate names the delegator while the
// statement's builder.id names the builder. These are the delegators
// slsa-verifier v2.7.1 trusts for artifacts (defaultBYOBReusableWorkflows
// in verifiers/internal/gha/builder.go).
const (
	DelegatorGeneric         = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_generic_slsa3.yml"
	DelegatorLowPermsGeneric = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/delegator_lowperms-generic_slsa3.yml"
)

// BYOBBuildType is the build type of provenance a delegator signs; a
// delegator's signature on any other build type is refused, as
// slsa-verifier's provenance parser refuses it.
const BYOBBuildType = "https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0"

// jreleaserBuilder is the one BYOB builder slsa-verifier allows at a tag
// of the form vX.Y.Z-<language> (isValidDelegatorBuilderID).
const jreleaserBuilder = "https://github.com/jreleaser/release-action"

// delegators lists the trusted delegator workflows.
var delegators = []string{DelegatorGeneric, DelegatorLowPermsGeneric}

// workflowName is a certificate identity without its "@ref".
func workflowName(identity string) string {
	name, _, _ := strings.Cut(identity, "@")
	return name
}

// isDelegator reports whether a certificate identity
// ("https://github.com/.../delegator_generic_slsa3.yml@refs/tags/v2.1.0")
// names a trusted delegator workflow.
func isDelegator(identity string) bool {
	name := workflowName(identity)
	for _, d := range delegators {
		if name == d {
			return true
		}
	}
	return false
}

// checkDelegated applies slsa-verifier's rules for provenance signed by a
// delegator (VerifyBuilderIdentity, isValidDelegatorBuilderID and the byob
// branch of VerifyProvenance): the delegator must be referenced at a
// release tag vX.Y.Z; the provenance must have the BYOB build type; its
// builder.id must name the builder at a release tag; and that builder, not
// the delegator, is what the policy's builder ID must match. Anyone can
// call a delegator, so accepting the delegator's own identity as the
// builder would accept every BYOB builder.
func (p Policy) checkDelegated(c *Claims) []error {
	var errs []error
	_, delegatorRef, _ := strings.Cut(c.Signer, "@")
	if err := utils.IsValidBuilderTag(delegatorRef, false); err != nil {
		errs = append(errs, fmt.Errorf("%w: expected the delegator %q at a release tag vX.Y.Z, got %q", ErrUntrustedBuilder, workflowName(c.Signer), delegatorRef))
	}
	if c.BuildType != BYOBBuildType {
		errs = append(errs, fmt.Errorf("%w: expected a delegator's provenance to have build type %q, got %q", ErrMalformed, BYOBBuildType, c.BuildType))
	}
	name, ref, ok := strings.Cut(c.BuilderID, "@")
	if !ok || strings.Contains(ref, "@") {
		return append(errs, fmt.Errorf("%w: expected the delegated builder's builder.id as <workflow>@<ref>, got %q", ErrUntrustedBuilder, c.BuilderID))
	}
	valid := utils.IsValidBuilderTag
	if strings.HasPrefix(name, jreleaserBuilder) {
		valid = func(ref string, _ bool) error { return utils.IsValidJreleaserBuilderTag(ref) }
	}
	if err := valid(ref, false); err != nil {
		errs = append(errs, fmt.Errorf("%w: expected the delegated builder %q at a release tag, got %q", ErrUntrustedBuilder, name, ref))
	}
	if builder, err := utils.TrustedBuilderIDNew(c.BuilderID, false); err != nil {
		errs = append(errs, fmt.Errorf("%w: expected %q, got builder.id %q (%v)", ErrUntrustedBuilder, p.BuilderID, c.BuilderID, err))
	} else if err := builder.MatchesLoose(p.BuilderID, true); err != nil {
		errs = append(errs, fmt.Errorf("%w: expected %q, got %q (delegated through %q)", ErrUntrustedBuilder, p.BuilderID, c.BuilderID, c.Signer))
	}
	return errs
}
