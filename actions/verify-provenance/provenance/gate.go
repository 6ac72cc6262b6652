package provenance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
)

const gateName = "verify-provenance"

// The gate's own inputs.
const (
	inputArtifacts      = "artifacts"
	inputProvenance     = "provenance"
	inputSourceURI      = FieldSourceURI
	inputBuilderID      = FieldBuilderID
	inputSourceBranch   = "source-branch"
	inputSourceTag      = FieldSourceTag
	inputVersionedTag   = FieldSourceVersionedTag
	inputWorkflowInputs = "build-workflow-inputs"
	inputTrustedRoot    = "trusted-root"
	inputTimeout        = "timeout"
)

// The gate's own outputs.
const (
	outputPath      = "verification-path"
	outputVerified  = "verified"
	outputBuilderID = "builder-id"
	outputSourceRef = "source-ref"
)

// The rules of the gate's findings, one per kind of failure.
const (
	RuleUntrustedBuilder = "untrusted-builder"
	RuleSourceMismatch   = "source-mismatch"
	RuleRefMismatch      = "ref-mismatch"
	RuleInputsMismatch   = "inputs-mismatch"
	RuleNotAttested      = "artifact-not-attested"
	RuleBadSignature     = "provenance-invalid"
)

const helpBase = "https://github.com/hubgates/hub/blob/main/actions/verify-provenance/README.md#"

// Rules are every rule a finding of the gate can carry.
var Rules = []finding.Rule{
	{ID: RuleUntrustedBuilder, Severity: finding.Critical, Summary: "The provenance was made or signed by another builder than the one expected.",
		Help: "Only the builder named by builder-id may vouch for the artifact; another workflow could claim anything.", HelpURI: helpBase + "untrusted-builder"},
	{ID: RuleSourceMismatch, Severity: finding.Critical, Summary: "The artifact was built from another repository than source-uri.",
		Help: "A fork or another repository built this artifact.", HelpURI: helpBase + "source-mismatch"},
	{ID: RuleRefMismatch, Severity: finding.High, Summary: "The artifact was built from another branch or tag than the policy allows.",
		Help: "Check source-branch, source-tag and source-versioned-tag against the release you expect.", HelpURI: helpBase + "ref-mismatch"},
	{ID: RuleInputsMismatch, Severity: finding.High, Summary: "The build ran with other workflow inputs than expected.",
		Help: "A workflow_dispatch input changed how the artifact was built.", HelpURI: helpBase + "inputs-mismatch"},
	{ID: RuleNotAttested, Severity: finding.Critical, Summary: "The artifact's digest is not a subject of the provenance.",
		Help: "The provenance is about other bytes: the artifact was changed or swapped after the build.", HelpURI: helpBase + "artifact-not-attested"},
	{ID: RuleBadSignature, Severity: finding.Critical, Summary: "The provenance is malformed or its signature does not verify against the trusted root.",
		Help: "The bundle was altered, or was not signed through the trusted Sigstore instance.", HelpURI: helpBase + "provenance-invalid"},
}

// Gate is verify-provenance as a hub gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "verify SLSA provenance",
		Description: "Verifies SLSA provenance and GitHub artifact attestations for artifacts: the provenance must be signed through Sigstore by the expected builder " +
			"for the expected source repository, and may be required to come from a branch, a tag or a semantic version, and with given workflow inputs. " +
			"With a trusted-root file it verifies offline with sigstore-go and makes no network call; without one it runs slsa-verifier v2.7.1, which fetches the Sigstore trust root over the network. " +
			"The summary says which path ran.",
		Inputs: []gate.Input{
			{Name: inputArtifacts, Kind: gate.List, Required: true,
				Description: "Artifact files to verify, relative to the workspace; each must be a subject of the provenance."},
			{Name: inputProvenance, Kind: gate.Path, Required: true,
				Description: "The provenance: a Sigstore bundle (.intoto.jsonl of the SLSA GitHub generator, .sigstore.json of attest-build-provenance), or several, one per line."},
			{Name: inputSourceURI, Kind: gate.String, Required: true,
				Description: "The repository the artifacts must be built from, as github.com/<owner>/<repo>."},
			{Name: inputBuilderID, Kind: gate.String, Required: true,
				Description: "The builder that must have made the provenance: its reusable workflow, https://github.com/<owner>/<repo>/.github/workflows/<file>, optionally with @<version> (@v2.1.0 or @refs/tags/v2.1.0) to pin the builder's version."},
			{Name: inputSourceBranch, Kind: gate.String,
				Description: "The branch the build must have run on (for a tag push, the branch the tag was pushed from)."},
			{Name: inputSourceTag, Kind: gate.String,
				Description: "The exact tag the build must have run on."},
			{Name: inputVersionedTag, Kind: gate.String,
				Description: "A semantic version the build's tag must match at the precision given: v1 accepts v1.x.y, v1.2 accepts v1.2.y."},
			{Name: inputWorkflowInputs, Kind: gate.List,
				Description: "Workflow inputs the build must have had, as name=value items."},
			{Name: inputTrustedRoot, Kind: gate.Path,
				Description: "A Sigstore trusted_root.json. When given, verification runs offline with sigstore-go and makes no network call; when empty, slsa-verifier verifies online."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "120s",
				Description: "Longest time for the whole verification; when it passes, the gate exits 3 naming the service that did not answer."},
		},
		Outputs: []gate.Output{
			{Name: outputPath, Description: "Which path verified: offline (sigstore-go with trusted-root) or slsa-verifier."},
			{Name: outputVerified, Description: "Number of artifacts whose provenance verified and satisfied the policy."},
			{Name: outputBuilderID, Description: "The verified builder ID (when every artifact verified with the same builder)."},
			{Name: outputSourceRef, Description: "The verified source ref (when every artifact verified from the same ref)."},
		},
		Rules: Rules,
	},
	Run: run,
}

// verifier is one of the two paths.
type verifier func(ctx context.Context, bundle []byte, artifact digest.Digest) (*Report, error)

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	p, err := policyFromInputs(in)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, in.Duration(inputTimeout))
	defer cancel()

	res := &gate.Result{Outputs: map[string]string{}, Counters: map[string]int64{}}
	var verify verifier
	path := "slsa-verifier"
	if rootPath := in.Path(inputTrustedRoot); rootPath != "" {
		tr, err := sigstore.LoadTrustedRoot(rootPath)
		if err != nil {
			return nil, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
		}
		off, err := NewOffline(tr)
		if err != nil {
			return nil, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
		}
		path = "offline"
		verify = func(_ context.Context, b []byte, a digest.Digest) (*Report, error) { return off.Verify(b, a, p) }
		res.Read = append(res.Read, readArtifact(in, rootPath))
	} else {
		on := Online{}
		verify = func(ctx context.Context, b []byte, a digest.Digest) (*Report, error) { return on.Verify(ctx, b, a, p) }
	}
	res.Outputs[outputPath] = path

	provPath := in.Path(inputProvenance)
	provData, err := os.ReadFile(provPath)
	if err != nil {
		return nil, gate.BadInputf(inputProvenance, in.Raw(inputProvenance), "%v", err)
	}
	res.Read = append(res.Read, evidence.Artifact{Path: in.Env.Rel(provPath), Digest: digest.FromBytes(digest.SHA256, provData).String()})
	bundles := splitBundles(provData)
	if len(bundles) == 0 {
		return nil, gate.BadInputf(inputProvenance, in.Raw(inputProvenance), "the file is empty")
	}

	var rows []string
	verified := 0
	builders, refs := map[string]bool{}, map[string]bool{}
	for _, name := range in.List(inputArtifacts) {
		d, err := artifactDigest(in.Env.Workspace, name)
		if err != nil {
			return nil, &gate.InputError{Input: inputArtifacts, Value: name, Problem: err.Error(), Err: err}
		}
		res.Read = append(res.Read, evidence.Artifact{Path: name, Digest: d.String()})
		rep, err := verifyAny(ctx, verify, bundles, d)
		if err != nil && ctx.Err() != nil {
			return nil, fmt.Errorf("verifying %s (%s path): %w", name, path, err)
		}
		if errors.Is(err, ErrUnavailable) {
			return nil, fmt.Errorf("verifying %s: %w", name, err)
		}
		if err != nil {
			rule := ruleFor(err)
			res.Findings = append(res.Findings, finding.Finding{Rule: rule, Severity: severityOf(rule),
				Message: oneLine(err), Path: name,
				Fingerprint: finding.Fingerprint(rule, name, d.String())})
			rows = append(rows, row(name, d, "❌ "+rule, rep))
			continue
		}
		verified++
		rows = append(rows, row(name, d, "✅ verified", rep))
		if rep.Claims != nil {
			builders[rep.Claims.BuilderID] = true
			refs[refOf(rep.Claims)] = true
		}
	}
	res.Outputs[outputVerified] = strconv.Itoa(verified)
	if len(builders) == 1 && len(res.Findings) == 0 {
		for b := range builders {
			res.Outputs[outputBuilderID] = b
		}
		for r := range refs {
			res.Outputs[outputSourceRef] = r
		}
	}
	total := len(in.List(inputArtifacts))
	res.Counters["artifacts"] = int64(total)
	res.Counters["verified"] = int64(verified)
	res.Denied = len(res.Findings) > 0
	pathName := map[string]string{"offline": "offline (sigstore-go, trusted root " + in.Raw(inputTrustedRoot) + ", no network)",
		"slsa-verifier": "online (slsa-verifier v2.7.1, Sigstore public-good trust root through TUF)"}[path]
	if res.Denied {
		res.Reason = fmt.Sprintf("%d of %d artifacts failed provenance verification (%s path).", total-verified, total, path)
	} else {
		res.Reason = fmt.Sprintf("%d of %d artifacts have provenance from %s for %s (%s path).", verified, total, p.BuilderID, p.SourceURI, path)
	}
	res.Details = "**Verification path:** " + pathName + "\n\n| Artifact | Digest | Result | Builder | Source | Log index |\n|---|---|---|---|---|---|\n" + strings.Join(rows, "")
	return res, nil
}

// policyFromInputs builds and validates the policy, naming the input of
// any problem.
func policyFromInputs(in *gate.Inputs) (Policy, error) {
	p := Policy{
		SourceURI:          in.String(inputSourceURI),
		BuilderID:          in.String(inputBuilderID),
		SourceBranch:       in.String(inputSourceBranch),
		SourceTag:          in.String(inputSourceTag),
		SourceVersionedTag: in.String(inputVersionedTag),
	}
	for _, kv := range in.List(inputWorkflowInputs) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return p, gate.BadInputf(inputWorkflowInputs, kv, "want name=value")
		}
		if p.WorkflowInputs == nil {
			p.WorkflowInputs = map[string]string{}
		}
		p.WorkflowInputs[strings.TrimSpace(k)] = v
	}
	if err := p.Validate(); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return p, &gate.InputError{Input: fe.Field, Value: fe.Value, Problem: fe.Problem, Err: err}
		}
		return p, err
	}
	return p, nil
}

// artifactDigest hashes a workspace file; the path may not leave the
// workspace, through ".." or a symlink.
func artifactDigest(workspace, name string) (digest.Digest, error) {
	f, err := os.OpenInRoot(workspace, filepath.FromSlash(name))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return digest.Digest{}, errors.New("does not exist")
		}
		return digest.Digest{}, fmt.Errorf("cannot be read inside the workspace: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return digest.Digest{}, errors.New("is a directory")
	}
	d, _, err := digest.FromReader(digest.SHA256, f)
	return d, err
}

// readArtifact records a file the gate read, for the evidence.
func readArtifact(in *gate.Inputs, path string) evidence.Artifact {
	d, _, _ := digest.FromFile(digest.SHA256, path)
	return evidence.Artifact{Path: in.Env.Rel(path), Digest: d.String()}
}

// splitBundles reads one JSON bundle, or several as JSON lines.
func splitBundles(data []byte) [][]byte {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil
	}
	if json.Valid(data) {
		return [][]byte{data}
	}
	var out [][]byte
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		if line = bytes.TrimSpace(line); len(line) > 0 {
			out = append(out, line)
		}
	}
	return out
}

// verifyAny accepts the artifact when one bundle verifies it; otherwise
// it returns the most telling failure: one from a bundle that is about
// the artifact rather than "not a subject".
func verifyAny(ctx context.Context, verify verifier, bundles [][]byte, d digest.Digest) (*Report, error) {
	var firstErr error
	var firstRep *Report
	for _, b := range bundles {
		if err := ctx.Err(); err != nil {
			return nil, context.Cause(ctx)
		}
		rep, err := verify(ctx, b, d)
		if err == nil {
			return rep, nil
		}
		if errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		if firstErr == nil || (errors.Is(firstErr, ErrMismatchArtifact) && !errors.Is(err, ErrMismatchArtifact)) {
			firstErr, firstRep = err, rep
		}
	}
	return firstRep, firstErr
}

// ruleFor maps a verification failure to its rule.
func ruleFor(err error) string {
	switch {
	case errors.Is(err, ErrUntrustedBuilder):
		return RuleUntrustedBuilder
	case errors.Is(err, ErrMismatchSource):
		return RuleSourceMismatch
	case errors.Is(err, ErrMismatchBranch), errors.Is(err, ErrMismatchTag), errors.Is(err, ErrMismatchVersionedTag), errors.Is(err, ErrInvalidRef):
		return RuleRefMismatch
	case errors.Is(err, ErrMismatchInputs):
		return RuleInputsMismatch
	case errors.Is(err, ErrMismatchArtifact):
		return RuleNotAttested
	}
	return RuleBadSignature
}

func severityOf(rule string) finding.Severity {
	for _, r := range Rules {
		if r.ID == rule {
			return r.Severity
		}
	}
	return finding.High
}

// oneLine joins a multi-error's lines for a finding message.
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

func refOf(c *Claims) string {
	if c.CertificateRef != "" {
		return c.CertificateRef
	}
	return c.Ref
}

// row is one line of the summary table.
func row(name string, d digest.Digest, result string, rep *Report) string {
	builder, source, index := "", "", ""
	if rep != nil && rep.Claims != nil {
		builder = rep.Claims.BuilderID
		source = trimGit(rep.Claims.Source)
		if r := refOf(rep.Claims); r != "" {
			source += "@" + r
		}
	}
	if rep != nil && rep.LogIndex >= 0 {
		index = strconv.FormatInt(rep.LogIndex, 10)
	}
	short := d.String()
	if len(short) > 19 {
		short = short[:19] + "…"
	}
	return fmt.Sprintf("| `%s` | `%s` | %s | %s | %s | %s |\n", name, short, result, builder, source, index)
}
