package sigverify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
)

// Check is one artifact to verify and where its bundle lies, both read
// through the workspace root.
type Check struct {
	// Artifact is the file; for an artifact known by its digest (the
	// digest input) Rel is the digest and ByDigest is set.
	Artifact signer.Artifact
	ByDigest bool
	Digest   digest.Digest
	// Bundle is the bundle's workspace-relative name.
	Bundle string
	// BundleInput is the input a bundle that cannot be read is blamed
	// on: "bundle" when it named the bundle, else "artifacts".
	BundleInput string
}

// maxBundleFile bounds a bundle read from the workspace: a bundle is a
// few kilobytes, however large the artifact.
const maxBundleFile = 4 << 20

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

// Verify checks each artifact's bundle against p, reading both through
// root. A failing artifact is an outcome, not an error; an error is
// something that stopped the checks (a file that cannot be read, which
// is bad input when the file itself is the problem, or ctx ending).
func Verify(ctx context.Context, root *fsroot.Root, checks []Check, p Policy) ([]Outcome, error) {
	out := make([]Outcome, 0, len(checks))
	for _, c := range checks {
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("verifying %s: %w", c.Artifact.Rel, context.Cause(ctx))
		}
		o, err := verifyFile(root, c, p)
		if err != nil {
			return out, err
		}
		out = append(out, o)
	}
	return out, nil
}

func verifyFile(root *fsroot.Root, c Check, p Policy) (Outcome, error) {
	o := Outcome{Subject: c.Artifact.Rel}
	a := Artifact{Name: c.Artifact.Rel, Digest: c.Digest}
	if !c.ByDigest {
		a.Root, a.Path = root, c.Artifact.Rel
	}
	b, err := root.ReadFile(c.Bundle, maxBundleFile)
	if errors.Is(err, fs.ErrNotExist) {
		o.Rule, o.Problems = RuleBundleMissing, []string{fmt.Sprintf("no bundle at %s", c.Bundle)}
		o.Digest = c.Digest
		if !c.ByDigest {
			if o.Digest, o.Size, err = fileDigest(a); err != nil {
				return o, artifactError(c, err)
			}
		}
		return o, nil
	}
	if err != nil {
		// A link out of the workspace, a pipe, a huge file: the input's
		// problem, named with the bundle's workspace path; its content is
		// never read, let alone shown.
		return o, gate.FileInputError(c.BundleInput, c.Bundle, err)
	}
	o.Read = []evidence.Artifact{{Path: c.Bundle, Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))}}
	var got Artifact
	o.Result, o.Rule, o.Problems, got, err = CheckBundle(b, a, p)
	o.Digest, o.Size = got.Digest, got.Size
	if o.Rule == "" {
		o.Source = c.Bundle
	}
	if err != nil {
		return o, artifactError(c, err)
	}
	return o, nil
}

// artifactError names the artifacts input when the artifact itself could
// not be read (swapped for a link or a pipe since it was resolved).
func artifactError(c Check, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fsroot.ErrEscapes) || errors.Is(err, fsroot.ErrNotRegular) || errors.Is(err, fs.ErrPermission) {
		return gate.FileInputError(inputArtifacts, c.Artifact.Rel, err)
	}
	return fmt.Errorf("verifying %s: %w", c.Artifact.Rel, err)
}

// fileDigest hashes the artifact file as it streams.
func fileDigest(a Artifact) (digest.Digest, int64, error) {
	f, _, err := a.Root.OpenRegular(a.Path)
	if err != nil {
		return digest.Digest{}, 0, err
	}
	defer f.Close()
	return digest.FromReader(digest.SHA256, f)
}

// Artifact is what a bundle must sign: the file Path of Root, hashed as
// it is read (never held in memory), or, with Root nil, the artifact
// whose SHA-256 is Digest. Name is how messages call it.
type Artifact struct {
	Root   *fsroot.Root
	Path   string
	Name   string
	Digest digest.Digest
	// Size is the file's size, once read.
	Size int64
}

// CheckBundle verifies one bundle over a: who signed, or the rule broken
// and why. It returns a with its SHA-256 digest and size filled in for a
// file. An error is a failure that says nothing about the bundle (the
// file could not be read).
func CheckBundle(bundle []byte, a Artifact, p Policy) (*sigstore.Result, string, []string, Artifact, error) {
	b, perr := sigstore.ParseBundle(bundle)
	if perr != nil {
		if a.Root != nil {
			var err error
			if a.Digest, a.Size, err = fileDigest(a); err != nil {
				return nil, "", nil, a, err
			}
		}
		return nil, RuleSignatureInvalid, []string{perr.Error()}, a, nil
	}
	d, err := subjectDigest(b, &a)
	if err != nil {
		if errors.Is(err, sigstore.ErrMalformedBundle) {
			return nil, RuleSignatureInvalid, []string{err.Error()}, a, nil
		}
		return nil, "", nil, a, err
	}
	res, rule, probs, err := checkEntity(b, d, a.Name, p)
	return res, rule, probs, a, err
}

// subjectDigest hashes the file, streaming it once, with SHA-256 (for the
// outputs) and the algorithm the bundle signs under when that is another;
// or takes the digest given.
func subjectDigest(e verify.SignedEntity, a *Artifact) (sigstore.Digest, error) {
	alg, err := sigstore.DigestAlgorithm(e)
	if err != nil {
		return sigstore.Digest{}, err
	}
	if a.Root == nil {
		// Compared as given: a bundle that signs under another hash is
		// refused as signing other bytes.
		return sigstore.FromDigest(a.Digest)
	}
	f, _, err := a.Root.OpenRegular(a.Path)
	if err != nil {
		return sigstore.Digest{}, err
	}
	defer f.Close()
	s256 := sha256.New()
	w := io.Writer(s256)
	var other hash.Hash
	if alg != "sha256" {
		if other, err = sigstore.NewHash(alg); err != nil {
			return sigstore.Digest{}, err
		}
		w = io.MultiWriter(s256, other)
	}
	n, err := io.Copy(w, f)
	if err != nil {
		return sigstore.Digest{}, fmt.Errorf("reading %s: %w", a.Name, err)
	}
	a.Size = n
	a.Digest = digest.Digest{Algorithm: digest.SHA256, Hex: hex.EncodeToString(s256.Sum(nil))}
	if other != nil {
		return sigstore.Digest{Algorithm: alg, Value: other.Sum(nil)}, nil
	}
	return sigstore.Digest{Algorithm: alg, Value: s256.Sum(nil)}, nil
}

// checkEntityBytes verifies a parsed or rebuilt bundle over bytes held
// in memory (an image's signed payload, a few hundred bytes).
func checkEntityBytes(e verify.SignedEntity, data []byte, name string, p Policy) (*sigstore.Result, string, []string, error) {
	d, err := sigstore.HashFor(e, bytes.NewReader(data))
	if err != nil {
		return nil, RuleSignatureInvalid, []string{err.Error()}, nil
	}
	return checkEntity(e, d, name, p)
}

// checkEntity verifies a parsed or rebuilt bundle over the digest d of
// the artifact called name, and the GitHub claims.
func checkEntity(e verify.SignedEntity, d sigstore.Digest, name string, p Policy) (*sigstore.Result, string, []string, error) {
	res, err := p.Verifier.VerifyDigest(e, d, p.Identity)
	switch {
	case errors.Is(err, sigstore.ErrUntrustedSigner):
		return nil, RuleSignerUntrusted, []string{err.Error()}, nil
	case errors.Is(err, sigstore.ErrArtifactMismatch):
		return nil, RuleSignatureInvalid, []string{fmt.Sprintf("the signature does not match %s: the file changed after signing, or the bundle is another file's (%v)", name, err)}, nil
	case errors.Is(err, sigstore.ErrSignatureInvalid) && strings.Contains(err.Error(), "failed to verify signature"):
		who := "the signing certificate's key"
		if p.Identity == nil {
			who = "the key"
		}
		return nil, RuleSignatureInvalid, []string{fmt.Sprintf("the signature over %s does not verify with %s: the bundle was altered after signing (%v)", name, who, err)}, nil
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
