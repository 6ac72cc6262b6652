package signer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/signing"
	"github.com/hubgates/hub/shared/sigstore"
)

// The gate's own inputs.
const (
	inputArtifacts = "artifacts"
	inputImages    = "images"
	inputLayout    = "image-layout"
	inputTimeout   = "timeout"
)

// The gate's own outputs.
const (
	outputBundles  = "bundles"
	outputDigests  = "digests"
	outputIdentity = "identity"
	outputIssuer   = "issuer"
	outputLogIndex = "log-index"
	outputImages   = "images"
	outputAttached = "image-signatures"
)

// Gate is sign as a hub gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  "sign",
		Title: "sign release artifacts with Sigstore",
		Description: "Signs files of the workspace into Sigstore bundles, one <file>.sigstore.json beside each, and OCI images by digest, " +
			"attaching each image's signature to it in the registry in cosign's sha256-<hex>.sig tag layout and as an OCI referrer: keyless " +
			"with the job's GitHub Actions OIDC token (a short-lived Fulcio certificate naming the workflow, the signature " +
			"recorded in the Rekor transparency log), or with a cosign or PEM ECDSA key. The bundles are the standard " +
			"Sigstore bundle (v0.3) that verify-signature and sigstore-go verify.",
		Inputs: slices.Concat([]gate.Input{
			{Name: inputArtifacts, Kind: gate.List,
				Description: "Files or doublestar globs (dist/**/*.tar.gz) relative to the workspace, one per line. A file must exist and a glob must match at least one file; globs skip existing *.sigstore.json bundles and do not descend into linked folders. Files are read, and bundles written, inside the workspace only: an artifact that is a link leading out of it, or a bundle path that is a link, is refused (exit 2) before anything is signed. One of artifacts and images is required."},
			{Name: inputImages, Kind: gate.List,
				Description: "OCI image references (ghcr.io/owner/app:v1 or ...@sha256:<hex>), one per line. Each is resolved to its digest once; the signature covers that digest and is attached to the image as image-layout says. Credentials come from the Docker config (DOCKER_CONFIG or ~/.docker/config.json)."},
			{Name: inputLayout, Kind: gate.Enum, Values: layoutNames(), Default: string(LayoutBoth),
				Description: "Where an image's signature is attached. cosign-tag: cosign's layout, the image at tag sha256-<hex>.sig in the image's repository with one layer per signature (earlier signatures kept), which cosign verify reads. referrers: an OCI referrer holding the Sigstore bundle (the referrers API, or the sha256-<hex> referrers tag on registries without it). both: the cosign tag, then the referrer; a registry that refuses the referrer (no OCI 1.1 support) keeps the cosign tag, and the summary and image-signatures say what was written."},
		}, signing.KeyInputs(""), signing.ServiceInputs(""), []gate.Input{
			{Name: inputTimeout, Kind: gate.Duration, Default: "2m",
				Description: "Longest time for the whole signing, network calls (OIDC token, Fulcio, Rekor) included; transient failures are retried within it."},
		}),
		Outputs: []gate.Output{
			{Name: outputBundles, Description: "The bundles written, workspace-relative, one per line, in the order of digests."},
			{Name: outputDigests, Description: "Each signed file as \"sha256:<hex> <path>\", one per line."},
			{Name: outputIdentity, Description: "Who signed: the certificate's identity (for Actions, https://github.com/<owner>/<repo>/.github/workflows/<file>@<ref>), or the key's sha256 ID."},
			{Name: outputIssuer, Description: "Keyless: the OIDC issuer the certificate names."},
			{Name: outputLogIndex, Description: "Keyless: the Rekor log index of each signature, one per line: files in the order of bundles, then images in the order of images."},
			{Name: outputImages, Description: "The images signed, by digest (registry/repo@sha256:<hex>), one per line."},
			{Name: outputAttached, Description: "Where each image's signature was written, one per line: \"<image by digest> cosign-tag <signature image by digest>\" and \"<image by digest> referrers <referrer by digest>\"."},
		},
	},
	Run: run,
}

// Signed is one artifact signed.
type Signed struct {
	Artifact Artifact
	Bundle   string // workspace-relative path of the bundle
	Digest   digest.Digest
	Size     int64
	Sig      *sigstore.Signature
}

// SignFiles signs each artifact of root with s and writes its bundle
// beside it, through root (atomically: a failed run leaves no partial
// bundle). It stops at the first error; bundles already written stay,
// each complete and valid. Check the bundle paths first ([CheckBundles]):
// a bundle is written by replacing what has its name.
func SignFiles(ctx context.Context, root *fsroot.Root, arts []Artifact, s sigstore.Signer) ([]Signed, error) {
	var out []Signed
	for _, a := range arts {
		sig, d, size, err := signFile(ctx, root, a, s)
		if err != nil {
			return out, err
		}
		// A run cancelled while signing (SIGTERM) writes nothing: the
		// signature may be complete, but the run was not.
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("signing %s: %w", a.Rel, context.Cause(ctx))
		}
		rel := BundlePath(a.Rel)
		if err := root.WriteFile(rel, sig.Bundle, 0o644); err != nil {
			return out, err
		}
		out = append(out, Signed{Artifact: a, Bundle: rel, Digest: d, Size: size, Sig: sig})
	}
	return out, nil
}

// CheckBundles refuses, before anything is signed, a bundle path that is
// a symbolic link or anything but a regular file: the bundle is written
// in its place, and a link planted there (to a file outside the
// workspace, or to .git/hooks) must be neither followed nor silently
// replaced. The error wraps ErrPattern and names the artifact.
func CheckBundles(root *fsroot.Root, arts []Artifact) error {
	for _, a := range arts {
		rel := BundlePath(a.Rel)
		fi, err := root.Lstat(rel)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return &PatternError{Pattern: a.Rel, Err: fmt.Errorf("%w: its bundle %q cannot be checked: %w", ErrPattern, rel, err)}
		case fi.Mode()&fs.ModeSymlink != 0:
			return &PatternError{Pattern: a.Rel, Err: fmt.Errorf("%w: its bundle %q is a symbolic link; remove it (the bundle is written in its place, never through a link)", ErrPattern, rel)}
		case !fi.Mode().IsRegular():
			return &PatternError{Pattern: a.Rel, Err: fmt.Errorf("%w: its bundle %q is not a regular file", ErrPattern, rel)}
		}
	}
	return nil
}

// signFile signs one file, streamed once through root: SHA-256 for the
// outputs is computed from the same read as the signature's hash.
func signFile(ctx context.Context, root *fsroot.Root, a Artifact, s sigstore.Signer) (*sigstore.Signature, digest.Digest, int64, error) {
	f, _, err := root.OpenRegular(a.Rel)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fsroot.ErrEscapes) || errors.Is(err, fsroot.ErrNotRegular) {
			// Swapped since it was resolved: still the input's problem.
			return nil, digest.Digest{}, 0, &PatternError{Pattern: a.Rel, Err: fmt.Errorf("%w: %q: %w", ErrPattern, a.Rel, err)}
		}
		return nil, digest.Digest{}, 0, fmt.Errorf("reading %s: %w", a.Rel, err)
	}
	defer f.Close()
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(f, h)}
	sig, err := s.SignReader(ctx, cr)
	if err != nil {
		return nil, digest.Digest{}, 0, fmt.Errorf("signing %s: %w", a.Rel, err)
	}
	return sig, digest.Digest{Algorithm: digest.SHA256, Hex: hex.EncodeToString(h.Sum(nil))}, cr.n, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	patterns, images := in.List(inputArtifacts), in.List(inputImages)
	if len(patterns) == 0 && len(images) == 0 {
		return nil, gate.BadInputf(inputArtifacts, "", "is required unless images is given")
	}
	var arts []Artifact
	if len(patterns) > 0 {
		var err error
		if arts, err = Resolve(in.Workspace(), patterns); err != nil {
			return nil, ArtifactsInputError(inputArtifacts, err)
		}
		if err := CheckBundles(in.Workspace(), arts); err != nil {
			return nil, ArtifactsInputError(inputArtifacts, err)
		}
	}
	for _, ref := range images {
		if _, err := ociref.Parse(ref); err != nil {
			return nil, gate.BadInputf(inputImages, ref, "%v", err)
		}
	}
	s, err := newSigner(in)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, in.Duration(inputTimeout),
		fmt.Errorf("signing did not finish within the timeout of %v", in.Duration(inputTimeout)))
	defer cancel()
	files, err := SignFiles(ctx, in.Workspace(), arts, s)
	if err != nil {
		return nil, ArtifactsInputError(inputArtifacts, err)
	}
	imgs, err := SignImages(ctx, images, s, Layout(in.String(inputLayout)), remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return nil, err
	}
	return result(files, imgs), nil
}

// ArtifactsInputError turns a [Resolve] error about a pattern into the
// input error of the named input; other errors (I/O) stay as they are.
func ArtifactsInputError(input string, err error) error {
	var pe *PatternError
	if errors.As(err, &pe) && errors.Is(err, ErrPattern) {
		return &gate.InputError{Input: input, Value: pe.Pattern, Problem: strings.TrimPrefix(err.Error(), ErrPattern.Error()+": "), Err: err}
	}
	return err
}

func result(files []Signed, imgs []SignedImage) *gate.Result {
	var bundles, digests, indexes, images, attached []string
	res := &gate.Result{Counters: map[string]int64{"artifacts": int64(len(files)), "images": int64(len(imgs))}}
	var b strings.Builder
	logIndex := func(sig *sigstore.Signature) string {
		if sig.LogIndex < 0 {
			return "none"
		}
		idx := strconv.FormatInt(sig.LogIndex, 10)
		indexes = append(indexes, idx)
		return idx
	}
	if len(files) > 0 {
		b.WriteString("| Artifact | Digest | Bundle | Log index |\n|---|---|---|---|\n")
	}
	for _, s := range files {
		bundles = append(bundles, s.Bundle)
		digests = append(digests, s.Digest.String()+" "+s.Artifact.Rel)
		res.Read = append(res.Read, evidence.Artifact{Path: s.Artifact.Rel, Digest: s.Digest.String(), Size: s.Size})
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", gate.MarkdownCode(s.Artifact.Rel), s.Digest, gate.MarkdownCode(s.Bundle), logIndex(s.Sig))
		res.Counters["bytes"] += s.Size
	}
	if len(imgs) > 0 {
		b.WriteString("\n| Image | Digest | Signature attached as | Log index |\n|---|---|---|---|\n")
	}
	refused := 0
	for _, s := range imgs {
		images = append(images, s.Image.String())
		res.Read = append(res.Read, evidence.Artifact{Path: s.Image.Ref.Context().Name(), Digest: s.Image.Digest.String()})
		var where []string
		if s.Cosign.DigestStr() != "" {
			attached = append(attached, s.Image.String()+" "+string(LayoutCosignTag)+" "+s.Cosign.String())
			where = append(where, fmt.Sprintf("cosign tag `%s` (`%s`)", ociref.CosignTag(s.Image, ociref.SignatureSuffix).TagStr(), s.Cosign.DigestStr()))
		}
		if s.Referrer.DigestStr() != "" {
			attached = append(attached, s.Image.String()+" "+string(LayoutReferrers)+" "+s.Referrer.String())
			where = append(where, fmt.Sprintf("OCI referrer `%s`", s.Referrer.DigestStr()))
		}
		if s.ReferrerRefused != nil {
			refused++
			where = append(where, "OCI referrer refused by the registry: "+gate.MarkdownText(s.ReferrerRefused.Error()))
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", gate.MarkdownCode(s.Image.Given), s.Image.Digest, strings.Join(where, "<br>"), logIndex(s.Sig))
	}
	var first *sigstore.Signature
	if len(files) > 0 {
		first = files[0].Sig
	} else {
		first = imgs[0].Sig
	}
	who := first.Identity
	if first.Issuer != "" {
		who += " (issuer " + first.Issuer + ")"
	}
	var what []string
	if n := len(files); n > 0 {
		what = append(what, fmt.Sprintf("%d file%s", n, plural(n)))
	}
	if n := len(imgs); n > 0 {
		what = append(what, fmt.Sprintf("%d image%s", n, plural(n)))
	}
	res.Reason = fmt.Sprintf("Signed %s as %s.", strings.Join(what, " and "), who)
	if refused > 0 {
		res.Reason += fmt.Sprintf(" The registry refused the OCI referrer of %d image%s: the signature is in cosign's tag only.", refused, plural(refused))
	}
	res.Details = b.String()
	res.Outputs = map[string]string{
		outputBundles:  strings.Join(bundles, "\n"),
		outputDigests:  strings.Join(digests, "\n"),
		outputIdentity: first.Identity,
		outputIssuer:   first.Issuer,
		outputLogIndex: strings.Join(indexes, "\n"),
		outputImages:   strings.Join(images, "\n"),
		outputAttached: strings.Join(attached, "\n"),
	}
	return res
}

// layoutNames lists the image-layout input's values.
func layoutNames() []string {
	out := make([]string, len(Layouts))
	for i, l := range Layouts {
		out[i] = string(l)
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// newSigner builds the signer the inputs ask for, before any file is
// signed.
func newSigner(in *gate.Inputs) (sigstore.Signer, error) { return signing.Signer(in) }
