package drill

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore-go/pkg/tuf"
	"golang.org/x/mod/semver"

	"github.com/hubgates/hub/actions/verify-provenance/provenance"
	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/signing"
	"github.com/hubgates/hub/shared/sigstore"
)

// The operations.
const (
	OpRecall    = "recall"
	OpFreshness = "freshness"
)

// The gate's own inputs.
const (
	inputReleases          = "releases"
	inputRepository        = "repository"
	inputLast              = "last"
	inputTrustedRoot       = "trusted-root"
	inputTUFMirror         = "tuf-mirror"
	inputSignatureIdentity = "signature-identity"
	inputSourceURI         = "source-uri"
	inputBuilderID         = "builder-id"
	inputIssuer            = "issuer"
	inputScratch           = "scratch-dir"
	inputSubject           = "drill-subject"
	inputRecordFile        = "record-file"
	inputDrillImage        = "drill-image"
	inputDrillRecords      = "drill-records"
	inputDrillIdentity     = "drill-identity"
	inputMaxAge            = "max-drill-age"
	inputTimeout           = "timeout"
)

// RuleRecallFailed: a release could not be recalled and verified.
const RuleRecallFailed = "recall-failed"

// Gate is dr-drill as a hub gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  "dr-drill",
		Title: "disaster-recovery drills: recall releases, check drill freshness",
		Description: "recall pulls the last releases by digest, checks that each one's digest, signature, provenance and referrers still resolve " +
			"and verify, restores it into a scratch folder and times it, then signs a drill record (in-toto statement, predicate type " +
			PredicateType + ") written to a file and attached to a drill subject image. freshness finds the newest drill record that " +
			"verifies for drill-identity and denies when it failed or is older than max-drill-age (7 days).",
		Inputs: slices.Concat([]gate.Input{
			gate.OperationInput("recall: recall the releases and sign a drill record. freshness: deny unless the newest signed drill passed within max-drill-age.", OpRecall, OpFreshness),
			{Name: inputReleases, Kind: gate.List,
				Description: "recall: the releases, images by tag or digest, one per line. Or give repository."},
			{Name: inputRepository, Kind: gate.String,
				Description: "recall: a registry repository whose last releases (semantic-version tags, newest first) are recalled."},
			{Name: inputLast, Kind: gate.Int, Default: "3", Check: func(v any) error {
				if n, _ := v.(int); n < 1 {
					return errors.New("want at least 1")
				}
				return nil
			},
				Description: "recall: how many of repository's newest releases to recall."},
			{Name: inputTrustedRoot, Kind: gate.Path,
				Description: "A Sigstore trusted_root.json to verify against with no network call; empty fetches the public-good root through TUF."},
			{Name: inputTUFMirror, Kind: gate.String, Default: tuf.DefaultMirror,
				Description: "The TUF repository the trusted root is fetched from when trusted-root is empty."},
			{Name: inputSignatureIdentity, Kind: gate.String,
				Description: "recall: regular expression the releases' signature identity must match (required for recall)."},
			{Name: inputSourceURI, Kind: gate.String,
				Description: "recall: the source repository the provenance must name, github.com/<owner>/<repo> (required for recall)."},
			{Name: inputBuilderID, Kind: gate.String,
				Description: "recall: the builder the provenance must name (required for recall)."},
			{Name: inputIssuer, Kind: gate.String, Default: "https://token.actions.githubusercontent.com",
				Description: "The OIDC issuer every certificate must name."},
			{Name: inputScratch, Kind: gate.Path, Default: ".hub-drill",
				Description: "recall: the workspace folder releases are restored into, one folder per release digest."},
			{Name: inputSubject, Kind: gate.String,
				Description: "recall: an image (by tag or digest) the signed drill record is attached to as an OCI referrer, where promote and freshness find it."},
			{Name: inputRecordFile, Kind: gate.Path, Default: "hub-drill.sigstore.json",
				Description: "recall: where the signed drill record (Sigstore bundle) is written, relative to the workspace."},
		}, signing.KeyInputs("recall: "), signing.ServiceInputs("recall: "), []gate.Input{
			{Name: inputDrillImage, Kind: gate.String,
				Description: "freshness: the drill subject image whose referrers hold the drill records. One of drill-image and drill-records is required."},
			{Name: inputDrillRecords, Kind: gate.List,
				Description: "freshness: drill record files, relative to the workspace, one per line."},
			{Name: inputDrillIdentity, Kind: gate.String,
				Description: "freshness: regular expression the drill records' signer must match (the scheduled drill workflow); required for freshness."},
			{Name: inputMaxAge, Kind: gate.Duration, Default: "168h", Check: func(v any) error {
				if d, _ := v.(time.Duration); d <= 0 {
					return errors.New("want a positive duration")
				}
				return nil
			},
				Description: "freshness: the oldest the newest passing drill may be."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "10m",
				Description: "Longest time for the whole drill, registry calls included."},
		}),
		Outputs: []gate.Output{
			{Name: "record-file", Description: "recall: the drill record written."},
			{Name: "referrer", Description: "recall: the referrer the record was attached as, by digest."},
			{Name: "recovered", Description: "recall: how many releases were recovered and verified."},
			{Name: "drill-age", Description: "freshness: the age of the newest drill that verifies (a Go duration)."},
		},
		Rules: slices.Concat([]finding.Rule{
			{ID: RuleRecallFailed, Severity: finding.High, Summary: "A release could not be recalled, verified or restored.",
				Help: "The drill record names the check that failed: repair the release's registry entries (a deleted referrer, a moved tag) before the next promotion."},
		}, FreshnessRules),
	},
	Run: run,
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, in.Duration(inputTimeout),
		fmt.Errorf("the drill did not finish within the timeout of %v", in.Duration(inputTimeout)))
	defer cancel()
	if in.String(gate.InputOperation) == OpFreshness {
		return freshness(ctx, in)
	}
	return recall(ctx, in)
}

func identity(in *gate.Inputs, input string) (*sigstore.Identity, error) {
	re := in.String(input)
	if strings.TrimSpace(re) == "" {
		return nil, gate.BadInputf(input, "", "is required for operation %s", in.String(gate.InputOperation))
	}
	if _, err := regexp.Compile(re); err != nil {
		return nil, gate.BadInputf(input, re, "%v", err)
	}
	return &sigstore.Identity{SubjectRegexp: re, Issuer: in.String(inputIssuer)}, nil
}

func freshness(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	id, err := identity(in, inputDrillIdentity)
	if err != nil {
		return nil, err
	}
	image := in.String(inputDrillImage)
	if image == "" && len(in.List(inputDrillRecords)) == 0 {
		return nil, gate.BadInputf(inputDrillImage, "", "is required unless drill-records is given")
	}
	var cands []Candidate
	var read []evidence.Artifact
	for _, f := range in.List(inputDrillRecords) {
		name := strings.TrimPrefix(f, "./")
		b, err := in.Workspace().ReadFile(name, 4<<20)
		if err != nil {
			return nil, gate.FileInputError(inputDrillRecords, f, err)
		}
		cands = append(cands, Candidate{Source: name, Bundle: b})
		read = append(read, evidence.Artifact{Path: name, Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))})
	}
	tr, trRead, err := LoadTrust(ctx, in, inputTrustedRoot, inputTUFMirror)
	if err != nil {
		return nil, err
	}
	read = append(read, trRead...)
	v, err := sigstore.NewKeylessVerifier(tr)
	if err != nil {
		return nil, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
	}
	if image != "" {
		opts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain)}
		img, err := ociref.Resolve(ctx, image, opts...)
		if err != nil {
			return nil, err
		}
		att, err := Attached(ctx, img, opts...)
		if err != nil && len(att) == 0 {
			return nil, err
		}
		cands = append(cands, att...)
		read = append(read, evidence.Artifact{Path: img.Ref.Context().Name(), Digest: img.Digest.String()})
	}
	rec, refused := Newest(cands, v, id)
	fs := Fresh(rec, refused, in.Duration(inputMaxAge), in.Env.Now, "")
	res := &gate.Result{Findings: fs, Denied: len(fs) > 0, Read: read, Outputs: map[string]string{},
		Counters: map[string]int64{"records": int64(len(cands))}}
	if rec != nil {
		age := in.Env.Now.Sub(rec.Statement.Predicate.Created).Round(time.Second)
		res.Outputs["drill-age"] = age.String()
		res.Details = drillTable(rec)
	}
	if res.Denied {
		res.Reason = fmt.Sprintf("No recent passing drill: %d finding%s.", len(fs), plural(len(fs)))
	} else {
		res.Reason = fmt.Sprintf("The newest drill passed %s ago (%s), signed by %s.", res.Outputs["drill-age"], rec.Source, rec.Signer.Identity)
	}
	return res, nil
}

func recall(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	id, err := identity(in, inputSignatureIdentity)
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
	refs := in.List(inputReleases)
	repo := in.String(inputRepository)
	if len(refs) == 0 && repo == "" {
		return nil, gate.BadInputf(inputReleases, "", "is required unless repository is given")
	}
	for _, r := range append(slices.Clone(refs), in.String(inputSubject)) {
		if r == "" {
			continue
		}
		if _, err := ociref.Parse(r); err != nil {
			return nil, gate.BadInputf(inputReleases, r, "%v", err)
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
	opts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	if repo != "" {
		latest, err := lastReleases(ctx, repo, in.Int(inputLast), opts)
		if err != nil {
			return nil, err
		}
		refs = append(refs, latest...)
	}
	tr, read, err := LoadTrust(ctx, in, inputTrustedRoot, inputTUFMirror)
	if err != nil {
		return nil, err
	}
	v, err := sigstore.NewKeylessVerifier(tr)
	if err != nil {
		return nil, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
	}
	sroot, scratch := in.Root(inputScratch)
	r := &Recaller{Verifier: v, Root: tr, Identity: id, Provenance: pol, Workspace: sroot, Scratch: scratch, Opts: opts, Now: time.Now}
	var rels []Release
	var findings []finding.Finding
	for _, ref := range refs {
		rel, err := r.Recall(ctx, ref)
		if err != nil {
			return nil, err
		}
		rels = append(rels, rel)
		if rel.Digest != "" {
			read = append(read, evidence.Artifact{Path: ref, Digest: rel.Digest})
		}
		for _, c := range rel.Checks {
			if !c.Passed {
				msg := fmt.Sprintf("release %s: %s check failed: %s", ref, c.Name, c.Detail)
				findings = append(findings, finding.Finding{Rule: RuleRecallFailed, Severity: finding.High, Message: msg,
					Fingerprint: finding.Fingerprint(RuleRecallFailed, ref, c.Name)})
			}
		}
	}
	st, subject, err := recordStatement(ctx, in, rels, opts)
	if err != nil {
		return nil, err
	}
	payload, err := Marshal(st)
	if err != nil {
		return nil, err
	}
	if err := ValidateStatement(payload); err != nil {
		return nil, fmt.Errorf("internal error: %w", err)
	}
	sig, err := ds.SignDSSE(ctx, sigstore.InTotoPayloadType, payload)
	if err != nil {
		return nil, fmt.Errorf("signing the drill record: %w", err)
	}
	froot, fname := in.Root(inputRecordFile)
	if err := froot.WriteFile(fname, sig.Bundle, 0o644); err != nil {
		return nil, gate.FileInputError(inputRecordFile, in.Raw(inputRecordFile), err)
	}
	res := &gate.Result{Findings: findings, Denied: len(findings) > 0, Read: read,
		Outputs:  map[string]string{"record-file": in.Env.Rel(in.Path(inputRecordFile))},
		Counters: map[string]int64{"releases": int64(len(rels))}}
	if subject != nil {
		ref, err := ociref.AttachAnnotated(ctx, *subject, sig.Bundle, map[string]string{
			"dev.sigstore.bundle.predicateType": PredicateType, "dev.sigstore.bundle.content": "dsse-envelope"}, opts...)
		if err != nil {
			return nil, err
		}
		res.Outputs["referrer"] = ref.String()
	}
	recovered := 0
	for _, rel := range rels {
		if rel.Recovered {
			recovered++
		}
	}
	res.Outputs["recovered"] = fmt.Sprint(recovered)
	res.Details = drillTable(&Record{Statement: st})
	res.Reason = fmt.Sprintf("Recalled %d of %d releases; the signed drill record (signed by %s) says %s.", recovered, len(rels), sig.Identity, map[bool]string{true: "passed", false: "failed"}[st.Predicate.Passed])
	return res, nil
}

// recordStatement builds the drill record: its subject is the drill
// subject image when given, else the list of release digests recalled.
func recordStatement(ctx context.Context, in *gate.Inputs, rels []Release, opts []remote.Option) (Statement, *ociref.Image, error) {
	passed := len(rels) > 0
	var digests []string
	for _, rel := range rels {
		passed = passed && rel.Recovered
		digests = append(digests, rel.Digest)
	}
	env := in.Env
	run := Run{Repository: env.Repository, Workflow: env.Getenv("GITHUB_WORKFLOW_REF"), RunID: env.RunID}
	if env.Repository != "" && env.RunID != "" {
		run.URL = strings.TrimSuffix(env.ServerURL, "/") + "/" + env.Repository + "/actions/runs/" + env.RunID
	}
	st := Statement{Type: "https://in-toto.io/Statement/v1", PredicateType: PredicateType,
		Predicate: Predicate{Operation: OpRecall, Created: time.Now().UTC(), Passed: passed, Run: run, Releases: rels}}
	if st.Predicate.Releases == nil {
		st.Predicate.Releases = []Release{}
	}
	if s := in.String(inputSubject); s != "" {
		img, err := ociref.Resolve(ctx, s, opts...)
		if err != nil {
			return st, nil, err
		}
		st.Subject = []Subject{{Name: img.Ref.Context().Name(), Digest: map[string]string{"sha256": img.Digest.Hex}}}
		return st, &img, nil
	}
	sum := sha256.Sum256([]byte(strings.Join(digests, "\n")))
	st.Subject = []Subject{{Name: "releases", Digest: map[string]string{"sha256": hex.EncodeToString(sum[:])}}}
	return st, nil, nil
}

// lastReleases lists repo's tags and returns the n newest semantic
// versions, newest first.
func lastReleases(ctx context.Context, repo string, n int, opts []remote.Option) ([]string, error) {
	r, err := name.NewRepository(repo, name.StrictValidation)
	if err != nil {
		return nil, gate.BadInputf(inputRepository, repo, "%v", err)
	}
	tags, err := remote.List(r, append([]remote.Option{remote.WithContext(ctx)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("listing the tags of %s: %w", repo, err)
	}
	var vers []string
	for _, t := range tags {
		if semver.IsValid(t) {
			vers = append(vers, t)
		}
	}
	slices.SortFunc(vers, func(a, b string) int { return semver.Compare(b, a) })
	if len(vers) > n {
		vers = vers[:n]
	}
	var out []string
	for _, t := range vers {
		out = append(out, r.Tag(t).String())
	}
	if len(out) == 0 {
		return nil, gate.BadInputf(inputRepository, repo, "has no semantic-version tag (v1.2.3) to recall")
	}
	return out, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// drillTable renders a drill's per-release outcomes.
func drillTable(r *Record) string {
	var b strings.Builder
	b.WriteString("| | Release | Digest | Checks | Time to recover |\n|---|---|---|---|---|\n")
	for _, rel := range r.Statement.Predicate.Releases {
		mark := "✅"
		if !rel.Recovered {
			mark = "❌"
		}
		var cs []string
		for _, c := range rel.Checks {
			m := "✅"
			if !c.Passed {
				m = "❌"
			}
			cs = append(cs, m+" "+c.Name)
		}
		fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %d ms |\n", mark, gate.MarkdownCode(rel.Image), rel.Digest, strings.Join(cs, " "), rel.RecoveryMillis)
	}
	return b.String()
}
