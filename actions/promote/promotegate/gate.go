package promotegate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore-go/pkg/tuf"

	"github.com/hubgates/hub/actions/dr-drill/drill"
	"github.com/hubgates/hub/actions/verify-provenance/provenance"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
)

// The gate's own inputs.
const (
	inputImage             = "image"
	inputTarget            = "target"
	inputTrustedRoot       = "trusted-root"
	inputTUFMirror         = "tuf-mirror"
	inputSignatureIdentity = "signature-identity"
	inputSourceURI         = "source-uri"
	inputBuilderID         = "builder-id"
	inputEvidenceIdentity  = "evidence-identity"
	inputEvidenceKey       = "evidence-public-key"
	inputRequiredGates     = "required-gates"
	inputMaxEvidenceAge    = "max-evidence-age"
	inputDrillImage        = "drill-image"
	inputDrillRecords      = "drill-records"
	inputDrillIdentity     = "drill-identity"
	inputMaxDrillAge       = "max-drill-age"
	inputIssuer            = "issuer"
	inputDryRun            = "dry-run"
	inputTimeout           = "timeout"
)

// The gate's own outputs.
const (
	outputDigest   = "digest"
	outputPromoted = "promoted"
	outputCopied   = "copied"
)

// Gate is promote as a hub gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  "promote",
		Title: "verify everything, then copy an image by digest",
		Description: "Promotes one image to a target repository only when it verifies: its signature (verify-signature's policy), its SLSA " +
			"provenance (verify-provenance's policy), its evidence bundle (signed by the release workflow, every required gate passed, " +
			"about this digest, not older than max-evidence-age) and a recent passing disaster-recovery drill (max-drill-age). Then it copies " +
			"the image with every OCI referrer and cosign tag attached to it, digests preserved, with go-containerregistry, and verifies the " +
			"copy before moving the target tag. dry-run verifies only. An unreachable registry or trust source is exit 3.",
		Inputs: []gate.Input{
			{Name: inputImage, Kind: gate.String, Required: true,
				Description: "The image to promote (registry/repo:tag or @sha256:<hex>), resolved to its digest once: everything is checked and copied by that digest."},
			{Name: inputTarget, Kind: gate.String, Required: true,
				Description: "The repository to promote to (registry/repo), with an optional tag (registry/repo:prod) moved to the digest once the copy verifies."},
			{Name: inputTrustedRoot, Kind: gate.Path,
				Description: "A Sigstore trusted_root.json to verify every signature against with no network call; empty fetches the public-good root through TUF from tuf-mirror."},
			{Name: inputTUFMirror, Kind: gate.String, Default: tuf.DefaultMirror,
				Description: "The TUF repository the trusted root is fetched from when trusted-root is empty."},
			{Name: inputSignatureIdentity, Kind: gate.String, Required: true,
				Description: "Regular expression the image signature's certificate identity must match (anchor it): https://github.com/<owner>/<repo>/.github/workflows/release.yml@refs/tags/v.*"},
			{Name: inputSourceURI, Kind: gate.String, Required: true,
				Description: "The repository the provenance must name as source, github.com/<owner>/<repo> (verify-provenance's source-uri)."},
			{Name: inputBuilderID, Kind: gate.String, Required: true,
				Description: "The builder the provenance must name, https://github.com/<owner>/<repo>/.github/workflows/<file> (verify-provenance's builder-id)."},
			{Name: inputEvidenceIdentity, Kind: gate.String,
				Description: "Regular expression the evidence bundle's certificate identity must match: the release workflow that ran the evidence gate. One of evidence-identity and evidence-public-key is required."},
			{Name: inputEvidenceKey, Kind: gate.String,
				Description: "The PEM public key the evidence bundle must be signed with, for an evidence gate that signs with a key or KMS key instead of keyless."},
			{Name: inputRequiredGates, Kind: gate.List,
				Description: "Gates the evidence statement must list as passed, one per line or comma-separated."},
			{Name: inputMaxEvidenceAge, Kind: gate.Duration, Default: "168h", Check: positive,
				Description: "Longest time between the evidence bundle's signing and this promotion."},
			{Name: inputDrillImage, Kind: gate.String,
				Description: "The drill subject image whose OCI referrers hold the signed drill records (dr-drill's drill-subject). One of drill-image and drill-records is required."},
			{Name: inputDrillRecords, Kind: gate.List,
				Description: "Drill record bundles (files written by dr-drill), relative to the workspace, one per line."},
			{Name: inputDrillIdentity, Kind: gate.String, Required: true,
				Description: "Regular expression the drill records' certificate identity must match: the scheduled drill workflow."},
			{Name: inputMaxDrillAge, Kind: gate.Duration, Default: "168h", Check: positive,
				Description: "Longest time since the newest passing drill: 7 days by default."},
			{Name: inputIssuer, Kind: gate.String, Default: "https://token.actions.githubusercontent.com",
				Description: "The OIDC issuer every certificate (signature, provenance, evidence, drill) must name."},
			{Name: inputDryRun, Kind: gate.Bool, Default: "false",
				Description: "true verifies everything and copies nothing."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "10m", Check: positive,
				Description: "Longest time for the whole promotion, registry calls and copy included."},
		},
		Outputs: []gate.Output{
			{Name: outputDigest, Description: "The image's digest (sha256:<hex>)."},
			{Name: outputPromoted, Description: "The copy by digest (registry/repo@sha256:<hex>); empty on a dry run or a denial."},
			{Name: outputCopied, Description: "How many manifests were copied beside the image: referrers and cosign tags."},
		},
		Rules: slices.Concat(Rules, drill.FreshnessRules),
	},
	Run: run,
}

func positive(v any) error {
	if d, ok := v.(interface{ Nanoseconds() int64 }); ok && d.Nanoseconds() <= 0 {
		return fmt.Errorf("want a positive duration")
	}
	return nil
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	if _, err := ociref.Parse(in.String(inputImage)); err != nil {
		return nil, gate.BadInputf(inputImage, in.String(inputImage), "%v", err)
	}
	target, tag, err := parseTarget(in.String(inputTarget))
	if err != nil {
		return nil, err
	}
	pol := provenance.Policy{SourceURI: in.String(inputSourceURI), BuilderID: in.String(inputBuilderID)}
	if err := pol.Validate(); err != nil {
		input := inputSourceURI
		if strings.Contains(err.Error(), provenance.FieldBuilderID) {
			input = inputBuilderID
		}
		return nil, gate.BadInputf(input, in.String(input), "%v", err)
	}
	issuer := in.String(inputIssuer)
	ids := map[string]*sigstore.Identity{}
	var evidenceKey *sigstore.Verifier
	if pemKey := in.String(inputEvidenceKey); pemKey != "" {
		pub, err := sigstore.LoadPublicKey([]byte(pemKey))
		if err != nil {
			return nil, gate.BadInputf(inputEvidenceKey, "", "%v", err)
		}
		if evidenceKey, err = sigstore.NewKeyVerifier(pub); err != nil {
			return nil, gate.BadInputf(inputEvidenceKey, "", "%v", err)
		}
	}
	for _, name := range []string{inputSignatureIdentity, inputEvidenceIdentity, inputDrillIdentity} {
		if name == inputEvidenceIdentity && evidenceKey != nil && in.String(name) == "" {
			continue
		}
		id := &sigstore.Identity{SubjectRegexp: in.String(name), Issuer: issuer}
		if err := checkRegexp(id.SubjectRegexp); err != nil {
			return nil, gate.BadInputf(name, id.SubjectRegexp, "%v", err)
		}
		ids[name] = id
	}
	if in.String(inputDrillImage) == "" && len(in.List(inputDrillRecords)) == 0 {
		return nil, gate.BadInputf(inputDrillImage, "", "is required unless drill-records is given: promotion needs a recent drill")
	}
	if d := in.String(inputDrillImage); d != "" {
		if _, err := ociref.Parse(d); err != nil {
			return nil, gate.BadInputf(inputDrillImage, d, "%v", err)
		}
	}
	drillFiles, read, err := readDrillFiles(in)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, in.Duration(inputTimeout),
		fmt.Errorf("the promotion did not finish within the timeout of %v", in.Duration(inputTimeout)))
	defer cancel()
	tr, trRead, err := drill.LoadTrust(ctx, in, inputTrustedRoot, inputTUFMirror)
	if err != nil {
		return nil, err
	}
	read = append(read, trRead...)
	kv, err := sigstore.NewKeylessVerifier(tr)
	if err != nil {
		return nil, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
	}
	opts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	img, err := ociref.Resolve(ctx, in.String(inputImage), opts...)
	if err != nil {
		return nil, err
	}
	read = append(read, evidence.Artifact{Path: img.Ref.Context().Name(), Digest: img.Digest.String()})
	c := &checks{img: img, verifier: kv, tr: tr, opts: opts, now: in.Env.Now}
	if err := c.signature(ctx, ids[inputSignatureIdentity]); err != nil {
		return nil, err
	}
	if err := c.provenance(ctx, pol); err != nil {
		return nil, err
	}
	ev, evID := kv, ids[inputEvidenceIdentity]
	if evidenceKey != nil {
		ev, evID = evidenceKey, nil
	}
	if err := c.evidence(ctx, ev, evID, in.List(inputRequiredGates), in.Duration(inputMaxEvidenceAge)); err != nil {
		return nil, err
	}
	if err := c.drill(ctx, in.String(inputDrillImage), drillFiles, ids[inputDrillIdentity], in.Duration(inputMaxDrillAge)); err != nil {
		return nil, err
	}
	res := &gate.Result{Read: read, Outputs: map[string]string{outputDigest: img.Digest.String()}, Counters: map[string]int64{}}
	attached, err := ListAttached(ctx, img, opts...)
	if err != nil {
		return nil, err
	}
	res.Counters["attached"] = int64(attached.Count())
	if len(c.findings) > 0 {
		res.Findings, res.Denied = c.findings, true
		res.Reason = fmt.Sprintf("%s was not promoted: %d check%s failed.", img, len(c.findings), plural(len(c.findings)))
		res.Details = c.table("")
		return res, nil
	}
	dst := target.Digest(img.Digest.String())
	if in.Bool(inputDryRun) {
		res.Reason = fmt.Sprintf("Dry run: %s verifies; %s and %d attached manifest%s would be copied to %s.", img, img.Digest, attached.Count(), plural(attached.Count()), target)
		res.Details = c.table("")
		return res, nil
	}
	if err := Copy(ctx, img, attached, target, opts...); err != nil {
		return nil, err
	}
	missing, err := Missing(ctx, img, attached, target, opts...)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		for _, m := range missing {
			c.add(RuleCopyIncomplete, "copy", fmt.Sprintf("the copy in %s lacks %s", target, m))
		}
		res.Findings, res.Denied = c.findings, true
		res.Reason = fmt.Sprintf("The copy of %s to %s is incomplete: %d missing; the target tag was not moved.", img, target, len(missing))
		res.Details = c.table(dst.String())
		return res, nil
	}
	if tag != "" {
		o := append([]remote.Option{remote.WithContext(ctx)}, opts...)
		desc, err := remote.Get(dst, o...)
		if err != nil {
			return nil, fmt.Errorf("reading the copy %s: %w", dst, err)
		}
		if err := remote.Tag(target.Tag(tag), desc, o...); err != nil {
			return nil, fmt.Errorf("tagging %s as %s: %w", dst, tag, err)
		}
	}
	res.Outputs[outputPromoted] = dst.String()
	res.Outputs[outputCopied] = fmt.Sprint(attached.Count())
	res.Reason = fmt.Sprintf("Promoted %s to %s with %d attached manifest%s; the copy verifies.", img, dst, attached.Count(), plural(attached.Count()))
	res.Details = c.table(dst.String())
	return res, nil
}

// parseTarget splits "registry/repo[:tag]".
func parseTarget(s string) (name.Repository, string, error) {
	if repo, err := name.NewRepository(s, name.StrictValidation); err == nil {
		return repo, "", nil
	}
	t, err := name.NewTag(s, name.StrictValidation)
	if err != nil {
		return name.Repository{}, "", gate.BadInputf(inputTarget, s, "want registry/repo or registry/repo:tag (not a digest): %v", err)
	}
	return t.Context(), t.TagStr(), nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
