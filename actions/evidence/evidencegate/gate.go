package evidencegate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore-go/pkg/tuf"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/signing"
	"github.com/hubgates/hub/shared/sigstore"
)

// Name is the gate's name.
const Name = "evidence"

// The gate's own inputs.
const (
	inputRecords      = "records"
	inputRequired     = "required-gates"
	inputSubjectGates = "subject-gates"
	inputMaxAge       = "max-record-age"
	inputArtifacts    = "artifacts"
	inputImages       = "images"
	inputDashboards   = "dashboards"
	inputGateImages   = "gate-images"
	inputBundle       = "bundle-file"
	inputSignedGates  = "signed-gates"
	inputRecordID     = "record-identity"
	inputIssuer       = "record-issuer"
	inputTrustedRoot  = "trusted-root"
	inputTUFMirror    = "tuf-mirror"
	inputTimeout      = "timeout"
)

// The gate's own outputs.
const (
	outputBundle    = "bundle-file"
	outputStatement = "statement-digest"
	outputReferrers = "referrers"
	outputIdentity  = "identity"
	outputGates     = "gates"
)

// Gate is evidence as a hub gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  Name,
		Title: "sign one evidence bundle per release",
		Description: "Collects the evidence records the release run's gates wrote, checks them against a required-gates policy (which gates " +
			"must have run and passed, on this repository and commit, on the release's subjects, how recently), and signs one in-toto " +
			"Statement about the release's files or images (predicate type " + PredicateType + ", JSON Schema in the repository) " +
			"as a DSSE envelope: keyless with the job's OIDC token, or with a key or KMS key. The bundle is written to a file and " +
			"attached to each image as an OCI referrer. A missing, failed, unreadable, stale or foreign record is a finding, and then " +
			"nothing is signed.",
		Inputs: slices.Concat([]gate.Input{
			{Name: inputRecords, Kind: gate.Path, Required: true,
				Description: "Folder of evidence records (the gates' evidence-dir, or the folder actions/download-artifact filled with one subfolder per artifact), relative to the workspace; *.json files are read at any depth, *.sigstore.json skipped. Every record found counts: a failed one denies even if its gate is not required."},
			{Name: inputRequired, Kind: gate.List,
				Description: "Gates that must have left a record, one per line or comma-separated (workflow-audit, sbom-gate, sign)."},
			{Name: inputSubjectGates, Kind: gate.List,
				Description: "Gates whose record must name one of the release's subjects (by digest) among what it read, such as sign and sbom-gate: evidence about other artifacts does not vouch for these."},
			{Name: inputMaxAge, Kind: gate.Duration, Default: "6h", Check: positive,
				Description: "Longest time between a record's finish and this run: a record older than this is of another run."},
			{Name: inputArtifacts, Kind: gate.List,
				Description: "Release files, relative to the workspace, one per line: each is a subject of the statement by its SHA-256. One of artifacts and images is required."},
			{Name: inputImages, Kind: gate.List,
				Description: "Release images (registry/repo:tag or @sha256:<hex>), one per line, each resolved to its digest once: a subject of the statement, and the image the bundle is attached to as an OCI referrer. Credentials come from the Docker config."},
			{Name: inputDashboards, Kind: gate.List,
				Description: "Dashboard links for the reviewer, one \"name=https://...\" per line (canary, dr, mutation, cost; Grafana or Looker URLs), templated with {repository}, {sha}, {ref}, {run_id}, {run_attempt} and {subject} (the first subject's sha256 hex), each value URL-escaped. The URL must be https."},
			{Name: inputGateImages, Kind: gate.List,
				Description: "The gates' container images as the workflow pins them, one \"gate=registry/repo@sha256:<hex>\" per line, recorded beside each gate's verdict."},
			{Name: inputSignedGates, Kind: gate.List,
				Description: "Gates whose record must be signed: a Sigstore bundle <record>.sigstore.json beside it (the sign gate over the record file, in the job that ran the gate) that verifies for record-identity. A record without one, or with one that does not verify, is a record-unsigned finding."},
			{Name: inputRecordID, Kind: gate.String,
				Description: "Regular expression the signed records' certificate identity must match (the workflows whose jobs sign their records); required with signed-gates."},
			{Name: inputIssuer, Kind: gate.String, Default: "https://token.actions.githubusercontent.com",
				Description: "The OIDC issuer the signed records' certificates must name."},
			{Name: inputTrustedRoot, Kind: gate.Path,
				Description: "A Sigstore trusted_root.json to verify signed records against with no network call; empty fetches the public-good root through TUF (only when signed-gates is given)."},
			{Name: inputTUFMirror, Kind: gate.String, Default: tuf.DefaultMirror,
				Description: "The TUF repository the trusted root is fetched from when trusted-root is empty."},
			{Name: inputBundle, Kind: gate.Path, Default: "hub-evidence.sigstore.json",
				Description: "Where to write the signed bundle (Sigstore bundle v0.3 holding the DSSE envelope), relative to the workspace. Written only when every record passes."},
		}, signing.KeyInputs(""), signing.ServiceInputs(""), []gate.Input{
			{Name: inputTimeout, Kind: gate.Duration, Default: "2m", Check: positive,
				Description: "Longest time for resolving images, signing and attaching, network calls included."},
		}),
		Outputs: []gate.Output{
			{Name: outputBundle, Description: "The bundle written, workspace-relative; empty when nothing was signed."},
			{Name: outputStatement, Description: "The SHA-256 of the signed statement (sha256:<hex>)."},
			{Name: outputReferrers, Description: "The OCI referrers attached, one \"<image by digest> <referrer by digest>\" per line."},
			{Name: outputIdentity, Description: "Who signed: the certificate's identity, or the key's ID."},
			{Name: outputGates, Description: "How many gate records the statement summarises."},
		},
		Rules: Rules,
	},
	Run: run,
}

func positive(v any) error {
	if d, ok := v.(interface{ Nanoseconds() int64 }); ok && d.Nanoseconds() <= 0 {
		return errors.New("want a positive duration")
	}
	return nil
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	files, images := in.List(inputArtifacts), in.List(inputImages)
	if len(files) == 0 && len(images) == 0 {
		return nil, gate.BadInputf(inputArtifacts, "", "is required unless images is given")
	}
	for _, ref := range images {
		if _, err := ociref.Parse(ref); err != nil {
			return nil, gate.BadInputf(inputImages, ref, "%v", err)
		}
	}
	gateImages, err := parseGateImages(in.List(inputGateImages))
	if err != nil {
		return nil, err
	}
	run := runIdentity(in.Env)
	templates, err := parseDashboards(in.List(inputDashboards))
	if err != nil {
		return nil, err
	}
	for _, g := range slices.Concat(in.List(inputRequired), in.List(inputSubjectGates)) {
		if !gateName(g) {
			return nil, gate.BadInputf(inputRequired, g, "is not a gate name (lower-case words joined by dashes)")
		}
	}
	signer, err := signing.Signer(in)
	if err != nil {
		return nil, err
	}
	ds, ok := signer.(sigstore.DSSESigner)
	if !ok {
		return nil, fmt.Errorf("internal error: signer %T cannot sign DSSE envelopes", signer)
	}
	root, dir := in.Root(inputRecords)
	if fi, err := root.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = fs.ErrInvalid
		}
		return nil, &gate.InputError{Input: inputRecords, Value: in.Raw(inputRecords), Problem: "is not a folder of the workspace", Err: err}
	}
	subjects, read, err := fileSubjects(in, files)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, in.Duration(inputTimeout),
		fmt.Errorf("the evidence gate did not finish within the timeout of %v", in.Duration(inputTimeout)))
	defer cancel()
	opts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	var imgs []ociref.Image
	for _, ref := range images {
		img, err := ociref.Resolve(ctx, ref, opts...)
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, img)
		subjects = append(subjects, Subject{Name: img.Ref.Context().Name(), Digest: map[string]string{"sha256": img.Digest.Hex}})
		read = append(read, evidence.Artifact{Path: img.Ref.Context().Name(), Digest: img.Digest.String()})
	}
	recs, err := Collect(root, dir)
	if err != nil {
		return nil, err
	}
	for _, c := range recs {
		if c.Err == nil {
			read = append(read, evidence.Artifact{Path: c.Path, Digest: c.Digest.String()})
		}
	}
	if signed := in.List(inputSignedGates); len(signed) > 0 {
		verify, trRead, err := recordVerifier(ctx, in)
		if err != nil {
			return nil, err
		}
		read = append(read, trRead...)
		for i := range recs {
			if recs[i].Err == nil && slices.Contains(signed, recs[i].Record.Gate) {
				recs[i].Unsigned = verify(recs[i])
			}
		}
	}
	policy := Policy{
		Required: in.List(inputRequired), SubjectGates: in.List(inputSubjectGates), MaxAge: in.Duration(inputMaxAge),
		Repository: in.Env.Repository, SHA: in.Env.SHA, Subjects: subjects, Now: in.Env.Now,
	}
	findings := Check(policy, recs)
	res := &gate.Result{Findings: findings, Read: read,
		Counters: map[string]int64{"records": int64(len(recs)), "subjects": int64(len(subjects))},
		Outputs:  map[string]string{outputGates: strconv.Itoa(len(recs))}}
	res.Details = gatesTable(recs)
	if len(findings) > 0 {
		res.Denied = true
		res.Reason = fmt.Sprintf("%d finding%s in the evidence of %d record%s: nothing signed.", len(findings), plural(len(findings)), len(recs), plural(len(recs)))
		return res, nil
	}
	st := Build(policy, run, recs, subjects, gateImages, expandDashboards(templates, run, subjects))
	payload, err := Marshal(st)
	if err != nil {
		return nil, err
	}
	if err := ValidateStatement(payload); err != nil {
		return nil, fmt.Errorf("internal error: %w", err)
	}
	sig, err := ds.SignDSSE(ctx, sigstore.InTotoPayloadType, payload)
	if err != nil {
		return nil, fmt.Errorf("signing the statement: %w", err)
	}
	broot, bundleName := in.Root(inputBundle)
	if err := broot.WriteFile(bundleName, sig.Bundle, 0o644); err != nil {
		return nil, gate.FileInputError(inputBundle, in.Raw(inputBundle), err)
	}
	var referrers []string
	for _, img := range imgs {
		ref, err := ociref.AttachAnnotated(ctx, img, sig.Bundle, map[string]string{
			PredicateTypeAnnotation:       PredicateType,
			"dev.sigstore.bundle.content": "dsse-envelope",
		}, opts...)
		if err != nil {
			return nil, err
		}
		referrers = append(referrers, img.String()+" "+ref.String())
	}
	res.Outputs[outputBundle] = in.Env.Rel(in.Path(inputBundle))
	res.Outputs[outputStatement] = digest.FromBytes(digest.SHA256, payload).String()
	res.Outputs[outputReferrers] = strings.Join(referrers, "\n")
	res.Outputs[outputIdentity] = sig.Identity
	res.Reason = fmt.Sprintf("Signed the evidence of %d gate record%s about %d subject%s as %s.", len(recs), plural(len(recs)), len(subjects), plural(len(subjects)), sig.Identity)
	res.Details += statementDetails(st, referrers)
	return res, nil
}
