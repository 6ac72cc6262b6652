package sigverify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/sigstore"
)

// Check is one artifact to verify and where its bundle lies.
type Check struct {
	Artifact signer.Artifact
	// Bundle is the bundle's absolute path; BundleRel its
	// workspace-relative one, for messages.
	Bundle, BundleRel string
}

// Policy is what a bundle must satisfy: the verifier's trust material,
// and for keyless signatures the identity and GitHub claims.
type Policy struct {
	Verifier *sigstore.Verifier
	Identity *sigstore.Identity // nil for a key
	Claims   Claims
}

// Outcome is one artifact's or image's verification.
type Outcome struct {
	// Subject is the file's workspace-relative path, or the image's
	// digest reference.
	Subject string
	// Image is set for an image.
	Image bool
	// Digest is the file's sha256, or the image's manifest digest.
	Digest digest.Digest
	Size   int64
	// Read lists the bundles (and cosign signature images) read, with
	// their digests.
	Read []evidence.Artifact
	// Source says where the accepted signature came from: the bundle's
	// path for a file; for an image its layout ("OCI referrer", "cosign
	// tag") and which entry.
	Source string
	// Result is who signed, nil when no bundle verified.
	Result *sigstore.Result
	// Rule and Problems say why it failed; Rule is "" when it passed.
	// For an image with several signatures they are the first one's.
	Rule     string
	Problems []string
	// Also lists why each further signature of a failed image failed.
	Also []Failure
}

// Failure is why one signature did not satisfy the policy.
type Failure struct {
	Rule     string
	Problems []string
}

// Verify checks each artifact's bundle against p. A failing artifact is an
// outcome, not an error; an error is something that stopped the checks
// (an unreadable file, ctx ending).
func Verify(ctx context.Context, checks []Check, p Policy) ([]Outcome, error) {
	out := make([]Outcome, 0, len(checks))
	for _, c := range checks {
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("verifying %s: %w", c.Artifact.Rel, context.Cause(ctx))
		}
		o, err := verifyFile(c, p)
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
	return out, nil
}

func verifyFile(c Check, p Policy) (Outcome, error) {
	o := Outcome{Subject: c.Artifact.Rel}
	data, err := os.ReadFile(c.Artifact.Abs)
	if err != nil {
		return o, fmt.Errorf("reading %s: %w", c.Artifact.Rel, err)
	}
	o.Digest, o.Size = digest.FromBytes(digest.SHA256, data), int64(len(data))
	b, err := os.ReadFile(c.Bundle)
	if errors.Is(err, fs.ErrNotExist) {
		o.Rule, o.Problems = RuleBundleMissing, []string{fmt.Sprintf("no bundle at %s", c.BundleRel)}
		return o, nil
	}
	if err != nil {
		return o, fmt.Errorf("reading %s: %w", c.BundleRel, err)
	}
	o.Read = []evidence.Artifact{{Path: c.BundleRel, Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))}}
	o.Result, o.Rule, o.Problems, err = check(b, data, p)
	if o.Rule == "" {
		o.Source = c.BundleRel
	}
	if err != nil {
		return o, fmt.Errorf("verifying %s: %w", c.Artifact.Rel, err)
	}
	return o, nil
}

// check verifies one bundle over data: who signed, or the rule broken
// and why. An error is a failure that says nothing about the bundle.
func check(bundle, data []byte, p Policy) (*sigstore.Result, string, []string, error) {
	b, err := sigstore.ParseBundle(bundle)
	if err != nil {
		return nil, RuleSignatureInvalid, []string{err.Error()}, nil
	}
	return checkEntity(b, data, p)
}

// checkEntity is [check] for a bundle already parsed or rebuilt.
func checkEntity(e verify.SignedEntity, data []byte, p Policy) (*sigstore.Result, string, []string, error) {
	res, err := p.Verifier.VerifyEntity(e, bytes.NewReader(data), p.Identity)
	switch {
	case errors.Is(err, sigstore.ErrUntrustedSigner):
		return nil, RuleSignerUntrusted, []string{err.Error()}, nil
	case errors.Is(err, sigstore.ErrSignatureInvalid), errors.Is(err, sigstore.ErrMalformedBundle):
		return nil, RuleSignatureInvalid, []string{err.Error()}, nil
	case err != nil:
		return nil, "", nil, err
	}
	if !p.Claims.IsZero() {
		if res.Certificate == nil {
			return nil, RuleClaimMismatch, []string{"expected GitHub workflow claims, got a signature without a certificate"}, nil
		}
		if probs := p.Claims.Check(res.Certificate.Extensions); len(probs) > 0 {
			return nil, RuleClaimMismatch, probs, nil
		}
	}
	return res, "", nil, nil
}
