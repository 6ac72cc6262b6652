package sigverify

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
)

// The layouts an image signature is found in, as the summary names them.
const (
	sourceReferrer  = "OCI referrer"
	sourceCosignTag = "cosign tag"
)

// VerifyImages resolves each reference to its digest once and looks for
// the image's signatures in both layouts the sign gate (and cosign)
// writes: Sigstore bundles attached to that digest as OCI referrers, each
// checked over the simple-signing payload naming the digest, and the
// layers of cosign's "sha256-<hex>.sig" tag, each checked over its own
// payload, which must name the digest. One signature that satisfies p
// passes the image; [Outcome.Source] says which. A re-tagged image
// resolves to another digest, which no signature of the old image names.
// A layout the registry could not be read in makes the image undecided
// unless the other layout holds a valid signature.
func VerifyImages(ctx context.Context, refs []string, p Policy, opts ...remote.Option) ([]Outcome, error) {
	var out []Outcome
	for _, ref := range refs {
		img, err := ociref.Resolve(ctx, ref, opts...)
		if err != nil {
			return out, err
		}
		o, err := verifyImage(ctx, img, p, opts...)
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
	return out, nil
}

func verifyImage(ctx context.Context, img ociref.Image, p Policy, opts ...remote.Option) (Outcome, error) {
	o := Outcome{Subject: img.String(), Image: true, Digest: img.Digest}
	// fail records a failed signature, each reported when none passes.
	fail := func(source, rule string, probs []string) {
		f := Failure{Rule: rule}
		for _, pr := range probs {
			f.Problems = append(f.Problems, source+": "+pr)
		}
		if o.Rule == "" {
			o.Rule, o.Problems = f.Rule, f.Problems
		} else {
			o.Also = append(o.Also, f)
		}
	}
	found := 0

	bundles, refErr := ociref.Bundles(ctx, img, opts...)
	if refErr != nil && ctx.Err() != nil {
		return o, refErr
	}
	payload := ociref.Payload(img)
	for i, b := range bundles {
		source := fmt.Sprintf("%s (bundle %d of %d)", sourceReferrer, i+1, len(bundles))
		res, rule, probs, skip, err := checkReferrerBundle(b, payload, img, p)
		if err != nil {
			return o, fmt.Errorf("verifying %s: %w", img, err)
		}
		if skip {
			continue // an attestation, not a signature
		}
		found++
		o.Read = append(o.Read, evidence.Artifact{Path: fmt.Sprintf("%s#bundle-%d", img, i+1), Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))})
		if rule == "" {
			return passed(o, res, source), nil
		}
		fail(source, rule, probs)
	}

	cosignRefs, cosignRefErr := ociref.CosignReferrers(ctx, img, opts...)
	if cosignRefErr != nil && ctx.Err() != nil {
		return o, cosignRefErr
	}
	for _, r := range cosignRefs {
		o.Read = append(o.Read, evidence.Artifact{Path: r.Ref.String(), Digest: r.Ref.DigestStr()})
		for i, l := range r.Layers {
			found++
			source := fmt.Sprintf("%s `%s` (cosign signature, layer %d of %d)", sourceReferrer, r.Ref.DigestStr(), i+1, len(r.Layers))
			res, rule, probs, err := checkCosignLayer(l, img, p)
			if err != nil {
				return o, fmt.Errorf("verifying %s: %w", img, err)
			}
			if rule == "" {
				return passed(o, res, source), nil
			}
			fail(source, rule, probs)
		}
	}

	sigs, tagErr := ociref.ReadCosign(ctx, img, ociref.SignatureSuffix, opts...)
	if tagErr != nil && ctx.Err() != nil {
		return o, tagErr
	}
	if sigs.Digest != "" {
		o.Read = append(o.Read, evidence.Artifact{Path: sigs.Tag.String(), Digest: sigs.Digest})
	}
	for i, l := range sigs.Layers {
		found++
		source := fmt.Sprintf("%s `%s` (layer %d of %d)", sourceCosignTag, sigs.Tag.TagStr(), i+1, len(sigs.Layers))
		res, rule, probs, err := checkCosignLayer(l, img, p)
		if err != nil {
			return o, fmt.Errorf("verifying %s: %w", img, err)
		}
		if rule == "" {
			return passed(o, res, source), nil
		}
		fail(source, rule, probs)
	}

	// Nothing passed. A layout that could not be read may have held the
	// signature that would have: undecided, not denied.
	if err := errors.Join(refErr, cosignRefErr, tagErr); err != nil {
		return o, err
	}
	if found == 0 {
		o.Rule, o.Problems = RuleBundleMissing, []string{fmt.Sprintf("no signature is attached to %s (resolved from %s): no Sigstore bundle or cosign signature among its OCI referrers and no cosign signature at tag %s",
			img, img.Given, sigs.Tag.TagStr())}
	}
	return o, nil
}

// checkReferrerBundle verifies a Sigstore bundle found among img's
// referrers. hub's sign gate attaches a message signature over img's
// simple-signing payload; "cosign sign --new-bundle-format" a DSSE
// envelope whose in-toto statement, of cosign's sign predicate type,
// names img's digest as its subject, which the signature is then checked
// against. Another DSSE bundle (an attestation: provenance, an SBOM) is
// no signature of the image and is skipped.
func checkReferrerBundle(b, payload []byte, img ociref.Image, p Policy) (res *sigstore.Result, rule string, probs []string, skip bool, err error) {
	e, perr := sigstore.ParseBundle(b)
	if perr != nil {
		return nil, RuleSignatureInvalid, []string{perr.Error()}, false, nil
	}
	env, eerr := e.Envelope()
	if eerr != nil || env == nil {
		res, rule, probs, err = checkEntityBytes(e, payload, "the signed payload of "+img.String(), p)
		return res, rule, probs, false, err
	}
	st, serr := env.Statement()
	if serr != nil {
		return nil, RuleSignatureInvalid, []string{fmt.Sprintf("%v: the DSSE envelope holds no in-toto statement: %s", sigstore.ErrMalformedBundle, sigstore.Excerpt(serr.Error()))}, false, nil
	}
	if st.GetPredicateType() != ociref.CosignSignPredicateType {
		return nil, "", nil, true, nil
	}
	d, derr := sigstore.FromDigest(img.Digest)
	if derr != nil {
		return nil, RuleSignatureInvalid, []string{derr.Error()}, false, nil
	}
	res, rule, probs, err = checkEntity(e, d, "the image "+img.String(), p)
	return res, rule, probs, false, err
}

func passed(o Outcome, res *sigstore.Result, source string) Outcome {
	o.Result, o.Source, o.Rule, o.Problems, o.Also = res, source, "", nil, nil
	return o
}

// checkCosignLayer verifies one layer of cosign's tag layout: its payload
// must name img's digest (the layer, not the verifier, supplies the signed
// bytes here), and the signature over it must satisfy p.
func checkCosignLayer(l ociref.CosignLayer, img ociref.Image, p Policy) (*sigstore.Result, string, []string, error) {
	if l.MediaType != ociref.SimpleSigningMediaType {
		return nil, RuleSignatureInvalid, []string{fmt.Sprintf("expected a layer of type %s, got %q", ociref.SimpleSigningMediaType, l.MediaType)}, nil
	}
	if err := ociref.CheckPayload(l.Payload, img); err != nil {
		return nil, RuleSignatureInvalid, []string{err.Error()}, nil
	}
	b, err := l.SigstoreBundle()
	if err != nil {
		return nil, RuleSignatureInvalid, []string{err.Error()}, nil
	}
	return checkEntityBytes(b, l.Payload, "the signed payload of "+img.String(), p)
}
