package sigverify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/ociref"
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
	// Read lists the bundles read, with their digests.
	Read []evidence.Artifact
	// Result is who signed, nil when no bundle verified.
	Result *sigstore.Result
	// Rule and Problems say why it failed; Rule is "" when it passed.
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
	if err != nil {
		return o, fmt.Errorf("verifying %s: %w", c.Artifact.Rel, err)
	}
	return o, nil
}

// VerifyImages resolves each reference to its digest once and checks the
// bundles attached to that digest against the image's simple-signing
// payload, which names the digest: one bundle that satisfies p passes the
// image. A re-tagged image resolves to another digest, whose payload no
// bundle of the old image signs.
func VerifyImages(ctx context.Context, refs []string, p Policy, opts ...remote.Option) ([]Outcome, error) {
	var out []Outcome
	for _, ref := range refs {
		img, err := ociref.Resolve(ctx, ref, opts...)
		if err != nil {
			return out, err
		}
		o := Outcome{Subject: img.String(), Image: true, Digest: img.Digest}
		bundles, err := ociref.Bundles(ctx, img, opts...)
		if err != nil {
			return out, err
		}
		if len(bundles) == 0 {
			o.Rule, o.Problems = RuleBundleMissing, []string{fmt.Sprintf("no Sigstore bundle is attached to %s (resolved from %s)", img, ref)}
			out = append(out, o)
			continue
		}
		payload := ociref.Payload(img)
		for i, b := range bundles {
			o.Read = append(o.Read, evidence.Artifact{Path: fmt.Sprintf("%s#bundle-%d", img, i+1), Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))})
			res, rule, probs, err := check(b, payload, p)
			if err != nil {
				return out, fmt.Errorf("verifying %s: %w", img, err)
			}
			if rule == "" {
				o.Result, o.Rule, o.Problems = res, "", nil
				break
			}
			if o.Rule == "" {
				// The first failure is the one reported.
				o.Rule, o.Problems = rule, probs
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// check verifies one bundle over data: who signed, or the rule broken
// and why. An error is a failure that says nothing about the bundle.
func check(bundle, data []byte, p Policy) (*sigstore.Result, string, []string, error) {
	res, err := p.Verifier.Verify(bundle, data, p.Identity)
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
