package sigverify

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/signing"
	"github.com/hubgates/hub/shared/sigstore"
)

// The gate's own inputs.
const (
	inputArtifacts      = "artifacts"
	inputImages         = "images"
	inputBundle         = "bundle"
	inputDigest         = "digest"
	inputThreshold      = "timestamp-threshold"
	inputIdentity       = "certificate-identity"
	inputIdentityRegexp = "certificate-identity-regexp"
	inputIssuer         = "certificate-oidc-issuer"
	inputPublicKey      = "public-key"
	inputRepository     = "github-repository"
	inputRef            = "github-ref"
	inputTrigger        = "github-trigger"
	inputWorkflowPath   = "github-workflow-path"
	inputTrustedRoot    = "trusted-root"
	inputTUFMirror      = "tuf-mirror"
	inputTimeout        = "timeout"
	actionsIssuer       = "https://token.actions.githubusercontent.com"
)

// The gate's own outputs.
const (
	outputVerified = "verified"
	outputSigners  = "signers"
	outputDigests  = "digests"
)

// Gate is verify-signature as a hub gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  "verify-signature",
		Title: "verify Sigstore signatures of artifacts",
		Description: "Verifies the Sigstore bundle of each file, or the signatures attached to each OCI image by digest (OCI referrers or cosign's .sig tag), against an expected signer: a keyless identity " +
			"(exact or regular expression) and OIDC issuer, optionally narrowed to a GitHub repository, ref, trigger " +
			"and workflow file read from the Fulcio certificate, or a public key. With a trusted-root file it makes no " +
			"network call at all; the timeout bounds the whole verification, so an unanswering Sigstore ends the run " +
			"undecided (exit 3), never passed.",
		Inputs: []gate.Input{
			{Name: inputArtifacts, Kind: gate.List,
				Description: "Files or doublestar globs relative to the workspace, one per line. Each file's bundle is <file>.sigstore.json beside it (as the sign gate writes them); globs skip the bundles themselves. Files and bundles are read inside the workspace only: a link that leads out of it is refused (exit 2) and never read. One of artifacts, images and digest is required."},
			{Name: inputImages, Kind: gate.List,
				Description: "OCI image references, one per line. Each is resolved to its digest once, and its signatures are looked for in every layout the sign gate and cosign v2 write: Sigstore bundles attached to that digest as OCI referrers (the sign gate's, and cosign sign --new-bundle-format's statement naming the digest), cosign's signature image as an OCI referrer (--registry-referrers-mode=oci-1-1), and cosign's sha256-<hex>.sig tag. One signature that satisfies the expected signer and claims, and signs a payload naming that digest, passes the image: a tag moved to another image fails. Credentials come from the Docker config (DOCKER_CONFIG or ~/.docker/config.json)."},
			{Name: inputBundle, Kind: gate.Path,
				Description: "The bundle to check when artifacts names exactly one file and its bundle lies elsewhere, or the bundle of the artifact given by digest."},
			{Name: inputDigest, Kind: gate.String,
				Description: "Verify the artifact with this SHA-256 digest (sha256:<hex>, or bare hex) instead of a file, as cosign verify-blob --digest does: the bundle input names its bundle, and artifacts stays empty."},
			{Name: inputIdentity, Kind: gate.String,
				Description: "The exact certificate identity the signature must carry, for Actions https://github.com/<owner>/<repo>/.github/workflows/<file>@<ref>. One of certificate-identity, certificate-identity-regexp or public-key is required."},
			{Name: inputIdentityRegexp, Kind: gate.String,
				Description: "A regular expression (Go syntax) the certificate identity must match; anchor it with ^ and $."},
			{Name: inputIssuer, Kind: gate.String, Default: actionsIssuer,
				Description: "The OIDC issuer the certificate must name."},
			{Name: inputPublicKey, Kind: gate.String,
				Description: "Accept only signatures by this key (PEM, the contents of cosign.pub) instead of keyless ones."},
			{Name: inputRepository, Kind: gate.String,
				Description: "Keyless: the repository (owner/repo) whose run must have signed, from the certificate's source repository claim."},
			{Name: inputRef, Kind: gate.String,
				Description: "Keyless: the full git ref the signing run was for (refs/tags/v1.2.0), from the certificate's source ref claim."},
			{Name: inputTrigger, Kind: gate.String,
				Description: "Keyless: the event that started the signing run (push, release, workflow_dispatch), from the certificate's trigger claim."},
			{Name: inputWorkflowPath, Kind: gate.String,
				Description: "Keyless: the top-level workflow file of the signing run (.github/workflows/release.yml), from the certificate's build config claim."},
			{Name: inputTrustedRoot, Kind: gate.Path, AllowTemp: true,
				Description: "A Sigstore trusted_root.json (certificate authorities, transparency logs, timestamp authorities): keyless signatures are verified against it with no network call. Empty fetches the public-good root through TUF from tuf-mirror. With public-key, a key signature's transparency log entries and timestamps are checked against it (without it, a key signature is trusted on the key alone)."},
			{Name: inputThreshold, Kind: gate.Int, Default: "1", Check: atLeastOne,
				Description: "How many verified timestamps (transparency log integrated times and timestamp-authority timestamps together) a signature needs; the certificate must have been valid at each. Applies to keyless signatures, and to key signatures when trusted-root is given. Every timestamp-authority timestamp a bundle carries must verify, whatever this number."},
			{Name: inputTUFMirror, Kind: gate.String, Default: tuf.DefaultMirror,
				Description: "The TUF repository the trusted root is fetched from when trusted-root is empty."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "120s",
				Description: "Longest time for the whole verification, network included; when it passes the run ends undecided (exit 3) naming what did not answer."},
		},
		Outputs: []gate.Output{
			{Name: outputVerified, Description: "true when every artifact's signature verified against the expected signer and claims."},
			{Name: outputSigners, Description: "The identities (or key IDs) that signed the verified artifacts, one per line."},
			{Name: outputDigests, Description: "Each verified artifact as \"sha256:<hex> <path>\", and each verified image as its digest reference, one per line."},
		},
		Rules: Rules,
	},
	Run: run,
}

// atLeastOne refuses a threshold below one.
func atLeastOne(v any) error {
	if n, _ := v.(int); n < 1 {
		return fmt.Errorf("want at least 1")
	}
	return nil
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	patterns, images := in.List(inputArtifacts), in.List(inputImages)
	if len(patterns) == 0 && len(images) == 0 && in.String(inputDigest) == "" {
		return nil, gate.BadInputf(inputArtifacts, "", "is required unless images or digest is given")
	}
	var checks []Check
	if raw := in.String(inputDigest); raw != "" {
		c, err := digestCheck(in, raw, len(patterns))
		if err != nil {
			return nil, err
		}
		checks = append(checks, c)
	} else if len(patterns) > 0 {
		arts, err := signer.Resolve(in.Workspace(), patterns)
		if err != nil {
			return nil, signer.ArtifactsInputError(inputArtifacts, err)
		}
		if checks, err = checksFor(in, arts); err != nil {
			return nil, err
		}
	} else if in.Path(inputBundle) != "" {
		return nil, gate.BadInputf(inputBundle, in.Raw(inputBundle), "names the bundle of one file, but artifacts is empty (images carry their bundles)")
	}
	for _, ref := range images {
		if _, err := ociref.Parse(ref); err != nil {
			return nil, gate.BadInputf(inputImages, ref, "%v", err)
		}
	}
	p, read, err := policyFrom(in)
	if err != nil {
		return nil, err
	}
	timeout := in.Duration(inputTimeout)
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("verification did not finish within the timeout of %v", timeout))
	defer cancel()
	if p.Verifier == nil {
		mirror, err := signing.ServiceURL(inputTUFMirror, in.String(inputTUFMirror))
		if err != nil {
			return nil, err
		}
		tr, err := FetchTrustedRoot(ctx, mirror, nil)
		if err != nil {
			return nil, err
		}
		if p.Verifier, err = sigstore.NewKeylessVerifier(tr, sigstore.WithTimestampThreshold(in.Int(inputThreshold))); err != nil {
			return nil, fmt.Errorf("the trusted root from %s: %w", mirror, err)
		}
	}
	outs, err := Verify(ctx, in.Workspace(), checks, p)
	if err != nil {
		return nil, err
	}
	imgs, err := VerifyImages(ctx, images, p, remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return nil, err
	}
	return result(append(outs, imgs...), read, p.Identity == nil), nil
}

// digestCheck is the check of an artifact known by its digest: the
// bundle input names its bundle.
func digestCheck(in *gate.Inputs, raw string, files int) (Check, error) {
	if files > 0 {
		return Check{}, gate.BadInputf(inputDigest, raw, "is given with artifacts; give the file or its digest")
	}
	d, err := digest.Parse(raw)
	if err != nil {
		return Check{}, gate.BadInputf(inputDigest, raw, "%v", err)
	}
	if d.Algorithm != digest.SHA256 {
		return Check{}, gate.BadInputf(inputDigest, raw, "want a sha256 digest, as Sigstore bundles sign")
	}
	_, b := in.Root(inputBundle)
	if b == "" {
		return Check{}, gate.BadInputf(inputBundle, "", "is required with digest: it names the bundle of the artifact")
	}
	return Check{Artifact: signer.Artifact{Rel: d.String()}, ByDigest: true, Digest: d, Bundle: b, BundleInput: inputBundle}, nil
}

// checksFor pairs each artifact with its bundle.
func checksFor(in *gate.Inputs, arts []signer.Artifact) ([]Check, error) {
	if _, b := in.Root(inputBundle); b != "" {
		if len(arts) != 1 {
			return nil, gate.BadInputf(inputBundle, in.Raw(inputBundle), "names one bundle, but artifacts names %d files", len(arts))
		}
		return []Check{{Artifact: arts[0], Bundle: b, BundleInput: inputBundle}}, nil
	}
	checks := make([]Check, len(arts))
	for i, a := range arts {
		checks[i] = Check{Artifact: a, Bundle: signer.BundlePath(a.Rel), BundleInput: inputArtifacts}
	}
	return checks, nil
}

// policyFrom reads the signer inputs. The verifier is left nil when the
// public-good root must be fetched, which only happens under the timeout.
func policyFrom(in *gate.Inputs) (Policy, []evidence.Artifact, error) {
	claims := Claims{Repository: in.String(inputRepository), Ref: in.String(inputRef),
		Trigger: in.String(inputTrigger), WorkflowPath: in.String(inputWorkflowPath)}
	exact, re, pemKey := in.String(inputIdentity), in.String(inputIdentityRegexp), in.String(inputPublicKey)
	if pemKey != "" {
		for _, name := range []string{inputIdentity, inputIdentityRegexp, inputRepository, inputRef, inputTrigger, inputWorkflowPath} {
			if in.String(name) != "" {
				return Policy{}, nil, gate.BadInputf(name, in.Raw(name), "applies to keyless signatures, but public-key is given")
			}
		}
		pub, err := sigstore.LoadPublicKey([]byte(pemKey))
		if err != nil {
			return Policy{}, nil, gate.BadInputf(inputPublicKey, firstLine(pemKey), "%v", err)
		}
		opts := []sigstore.Option{sigstore.WithTimestampThreshold(in.Int(inputThreshold))}
		var read []evidence.Artifact
		if in.Path(inputTrustedRoot) != "" {
			tr, art, err := trustedRoot(in)
			if err != nil {
				return Policy{}, nil, err
			}
			opts, read = append(opts, sigstore.WithTrustedRoot(tr)), art
		}
		v, err := sigstore.NewKeyVerifier(pub, opts...)
		if err != nil {
			return Policy{}, nil, gate.BadInputf(inputPublicKey, firstLine(pemKey), "%v", err)
		}
		return Policy{Verifier: v}, read, nil
	}
	switch {
	case exact != "" && re != "":
		return Policy{}, nil, gate.BadInputf(inputIdentityRegexp, re, "is given with certificate-identity; give one of them")
	case exact != "":
		re = "^" + regexp.QuoteMeta(exact) + "$"
	case re == "":
		return Policy{}, nil, gate.BadInputf(inputIdentity, "", "is required: give certificate-identity, certificate-identity-regexp or public-key, so the signer is pinned")
	default:
		if _, err := regexp.Compile(re); err != nil {
			return Policy{}, nil, gate.BadInputf(inputIdentityRegexp, re, "not a regular expression: %v", err)
		}
	}
	issuer := in.String(inputIssuer)
	if issuer == "" {
		issuer = actionsIssuer
	}
	p := Policy{Identity: &sigstore.Identity{SubjectRegexp: re, Issuer: issuer}, Claims: claims}
	if in.Path(inputTrustedRoot) == "" {
		return p, nil, nil
	}
	tr, read, err := trustedRoot(in)
	if err != nil {
		return Policy{}, nil, err
	}
	if p.Verifier, err = sigstore.NewKeylessVerifier(tr, sigstore.WithTimestampThreshold(in.Int(inputThreshold))); err != nil {
		return Policy{}, nil, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
	}
	return p, read, nil
}

// maxTrustedRoot bounds the trusted root read: public-good's is a few
// kilobytes.
const maxTrustedRoot = 4 << 20

// trustedRoot reads the trusted-root input through its root (the
// workspace or RUNNER_TEMP), and records it as read.
func trustedRoot(in *gate.Inputs) (*root.TrustedRoot, []evidence.Artifact, error) {
	b, err := in.ReadFile(inputTrustedRoot, maxTrustedRoot)
	if err != nil {
		return nil, nil, err
	}
	tr, err := sigstore.ParseTrustedRoot(b)
	if err != nil {
		return nil, nil, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
	}
	return tr, []evidence.Artifact{{Path: readName(in, inputTrustedRoot), Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))}}, nil
}

// readName is how the evidence names the file a Path input points at:
// workspace-relative, or under $RUNNER_TEMP, never the host's path.
func readName(in *gate.Inputs, name string) string {
	r, rel := in.Root(name)
	if r != nil && r != in.Workspace() {
		return "$RUNNER_TEMP/" + rel
	}
	return rel
}

func result(outs []Outcome, read []evidence.Artifact, keyed bool) *gate.Result {
	res := &gate.Result{Read: read, Counters: map[string]int64{}}
	var signers, digests []string
	var b strings.Builder
	b.WriteString("| Artifact | Digest | Signer | Log index | Signature from |\n|---|---|---|---|---|\n")
	for _, o := range outs {
		if o.Image {
			res.Counters["images"]++
			res.Read = append(res.Read, evidence.Artifact{Path: o.Subject, Digest: o.Digest.String()})
		} else {
			res.Counters["artifacts"]++
			res.Read = append(res.Read, evidence.Artifact{Path: o.Subject, Digest: o.Digest.String(), Size: o.Size})
		}
		res.Read = append(res.Read, o.Read...)
		if o.Rule != "" {
			path := o.Subject
			if o.Image {
				// Not a file of the repository: no annotation location.
				path = ""
			}
			rules := []string{o.Rule}
			for _, f := range append([]Failure{{o.Rule, o.Problems}}, o.Also...) {
				if !slices.Contains(rules, f.Rule) {
					rules = append(rules, f.Rule)
				}
				for _, msg := range f.Problems {
					res.Findings = append(res.Findings, finding.Finding{Rule: f.Rule, Severity: finding.Critical,
						Message: msg, Path: path,
						Fingerprint: finding.Fingerprint(f.Rule, o.Subject, o.Digest.String()+"\x00"+msg)})
				}
			}
			fmt.Fprintf(&b, "| %s | `%s` | ❌ [%s] | | |\n", gate.MarkdownCode(o.Subject), o.Digest, strings.Join(rules, "] ["))
			continue
		}
		if !slices.Contains(signers, o.Result.Identity) {
			signers = append(signers, o.Result.Identity)
		}
		if o.Image {
			digests = append(digests, o.Subject)
		} else {
			digests = append(digests, o.Digest.String()+" "+o.Subject)
		}
		idx := "none"
		if o.Result.LogIndex >= 0 {
			idx = strconv.FormatInt(o.Result.LogIndex, 10)
		}
		// An image's source is written here, from digests and tags; a
		// file's is the bundle's name, from the repository.
		source := o.Source
		if !o.Image {
			source = gate.MarkdownCode(source)
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s |\n", gate.MarkdownCode(o.Subject), o.Digest, gate.MarkdownText(o.Result.Identity), idx, source)
	}
	failed := len(outs) - len(digests)
	res.Denied = failed > 0
	res.Details = b.String()
	res.Outputs = map[string]string{
		outputVerified: strconv.FormatBool(!res.Denied),
		outputSigners:  strings.Join(signers, "\n"),
		outputDigests:  strings.Join(digests, "\n"),
	}
	kind := "keyless"
	if keyed {
		kind = "key"
	}
	noun := "artifacts"
	if res.Counters["artifacts"] == 0 {
		noun = "images"
	} else if res.Counters["images"] > 0 {
		noun = "artifacts and images"
	}
	if res.Denied {
		res.Reason = fmt.Sprintf("%d of %d %s failed %s signature verification.", failed, len(outs), noun, kind)
	} else {
		if len(outs) == 1 {
			noun = strings.TrimSuffix(noun, "s")
		}
		res.Reason = fmt.Sprintf("%d %s verified (%s), signed by %s.", len(outs), noun, kind, strings.Join(signers, ", "))
	}
	return res
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
