package promotegate

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/hubgates/hub/actions/dr-drill/drill"
	"github.com/hubgates/hub/actions/evidence/evidencegate"
	"github.com/hubgates/hub/actions/verify-provenance/provenance"
	"github.com/hubgates/hub/actions/verify-signature/sigverify"
	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
)

// The promote rules (beside drill's freshness rules).
const (
	RuleSignature       = "signature-unverified"
	RuleProvenance      = "provenance-unverified"
	RuleEvidenceMissing = "evidence-missing"
	RuleEvidence        = "evidence-unverified"
	RuleEvidenceGate    = "evidence-gate-missing"
	RuleEvidenceStale   = "evidence-stale"
	RuleCopyIncomplete  = "copy-incomplete"
)

// Rules lists promote's own rules.
var Rules = []finding.Rule{
	{ID: RuleSignature, Severity: finding.High, Summary: "No signature of the image verifies for signature-identity.",
		Help: "Sign the image in the release workflow (the sign gate); promotion copies only images that workflow signed."},
	{ID: RuleProvenance, Severity: finding.High, Summary: "No SLSA provenance of the image verifies for source-uri and builder-id.",
		Help: "Attest the build's provenance (actions/attest-build-provenance with push-to-registry, or the SLSA generator) from the builder named."},
	{ID: RuleEvidenceMissing, Severity: finding.High, Summary: "No evidence bundle is attached to the image.",
		Help: "Run the evidence gate in the release workflow with the image among its images; it attaches the signed bundle as an OCI referrer."},
	{ID: RuleEvidence, Severity: finding.High, Summary: "An evidence bundle does not verify: another signer, another subject, or not the predicate's schema.",
		Help: "The bundle must be signed by the release workflow named in evidence-identity and name this image's digest."},
	{ID: RuleEvidenceGate, Severity: finding.High, Summary: "A required gate is not in the evidence as passed.",
		Help: "Run the gate in the release workflow and list it in the evidence gate's required-gates."},
	{ID: RuleEvidenceStale, Severity: finding.High, Summary: "The evidence bundle is older than max-evidence-age.",
		Help: "Release again: evidence of an old run does not vouch for a promotion now."},
	{ID: RuleCopyIncomplete, Severity: finding.High, Summary: "The copy lacks the image or something attached to it.",
		Help: "The target registry did not keep a referrer or tag: check its OCI 1.1 support and retry; the target tag was not moved."},
}

// checks gathers the verdict of each check of one image.
type checks struct {
	img      ociref.Image
	verifier *sigstore.Verifier
	tr       *root.TrustedRoot
	opts     []remote.Option
	now      time.Time

	findings []finding.Finding
	rows     []row
}

// row is one line of the summary's table.
type row struct {
	check  string
	passed bool
	detail string
}

func (c *checks) add(rule, check, msg string) {
	c.findings = append(c.findings, finding.Finding{Rule: rule, Severity: finding.High, Message: msg,
		Fingerprint: finding.Fingerprint(rule, c.img.Digest.String(), msg)})
	c.rows = append(c.rows, row{check, false, msg})
}

func (c *checks) pass(check, detail string) { c.rows = append(c.rows, row{check, true, detail}) }

// signature verifies the image's signature as verify-signature does.
func (c *checks) signature(ctx context.Context, id *sigstore.Identity) error {
	outs, err := sigverify.VerifyImages(ctx, []string{c.img.String()}, sigverify.Policy{Verifier: c.verifier, Identity: id}, c.opts...)
	if err != nil {
		return err
	}
	o := outs[0]
	if o.Rule != "" || o.Result == nil {
		c.add(RuleSignature, "signature", fmt.Sprintf("no signature of %s verifies for identity %q: %s [%s]", c.img, id.SubjectRegexp, strings.Join(o.Problems, "; "), o.Rule))
		return nil
	}
	c.pass("signature", fmt.Sprintf("signed by %s (%s)", o.Result.Identity, o.Source))
	return nil
}

// provenance verifies the image's SLSA provenance as verify-provenance
// does offline.
func (c *checks) provenance(ctx context.Context, p provenance.Policy) error {
	atts, _, err := provenance.FindAttestations(ctx, c.img, c.opts...)
	if err != nil {
		return err
	}
	off, err := provenance.NewOffline(c.tr)
	if err != nil {
		return err
	}
	var why []string
	for _, a := range atts {
		rep, err := off.VerifyImage(a, c.img.Digest, p)
		if err == nil {
			c.pass("provenance", fmt.Sprintf("built by %s from %s", rep.Claims.BuilderID, rep.Claims.Source))
			return nil
		}
		why = append(why, a.Location+": "+err.Error())
	}
	if len(atts) == 0 {
		why = append(why, "no SLSA provenance is attached (cosign .att tag or OCI referrer)")
	}
	c.add(RuleProvenance, "provenance", fmt.Sprintf("no provenance of %s verifies for builder %s and source %s: %s", c.img, p.BuilderID, p.SourceURI, strings.Join(why, "; ")))
	return nil
}

// evidence verifies the evidence bundles attached to the image and
// accepts the newest that verifies, names every required gate as passed
// and is recent enough.
func (c *checks) evidence(ctx context.Context, v *sigstore.Verifier, id *sigstore.Identity, required []string, maxAge time.Duration) error {
	bundles, err := evidencegate.Attached(ctx, c.img, c.opts...)
	if err != nil && len(bundles) == 0 {
		return err
	}
	if len(bundles) == 0 {
		c.add(RuleEvidenceMissing, "evidence", fmt.Sprintf("no evidence bundle (predicate %s) is attached to %s", evidencegate.PredicateType, c.img))
		return nil
	}
	d := sigstore.Digest{Algorithm: "sha256", Value: c.img.Digest.Bytes()}
	var best *evidencegate.Verified
	var refused []string
	for _, b := range bundles {
		got, err := evidencegate.VerifyBundle(v, b, d, id)
		if err != nil {
			refused = append(refused, err.Error())
			continue
		}
		if best == nil || got.Statement.Predicate.Created.After(best.Statement.Predicate.Created) {
			best = got
		}
	}
	if best == nil {
		who := "the evidence public key"
		if id != nil {
			who = fmt.Sprintf("identity %q", id.SubjectRegexp)
		}
		c.add(RuleEvidence, "evidence", fmt.Sprintf("none of the %d evidence bundles of %s verifies for %s: %s", len(bundles), c.img, who, strings.Join(refused, "; ")))
		return nil
	}
	ok := true
	for _, g := range required {
		if !slices.ContainsFunc(best.Statement.Predicate.Gates, func(r evidencegate.GateRun) bool { return r.Name == g && r.Verdict == "passed" }) {
			c.add(RuleEvidenceGate, "evidence", fmt.Sprintf("required gate %s is not in the evidence of %s as passed (gates: %s)", g, c.img, gateNames(best.Statement)))
			ok = false
		}
	}
	signed := best.Signer.SignedAt
	if signed.IsZero() {
		signed = best.Statement.Predicate.Created
	}
	if age := c.now.Sub(signed); age > maxAge {
		c.add(RuleEvidenceStale, "evidence", fmt.Sprintf("the evidence of %s was signed %s ago (%s), more than max-evidence-age %s", c.img, age.Round(time.Minute), signed.UTC().Format(time.RFC3339), maxAge))
		ok = false
	}
	if ok {
		c.pass("evidence", fmt.Sprintf("%d gates passed in run %s, signed by %s", len(best.Statement.Predicate.Gates), best.Statement.Predicate.Run.URL, best.Signer.Identity))
	}
	return nil
}

func gateNames(st evidencegate.Statement) string {
	var out []string
	for _, g := range st.Predicate.Gates {
		out = append(out, g.Name+"="+g.Verdict)
	}
	return strings.Join(out, ", ")
}

// drill checks that the newest drill record verifies, passed and is
// recent.
func (c *checks) drill(ctx context.Context, image string, files []drill.Candidate, id *sigstore.Identity, maxAge time.Duration) error {
	cands := files
	where := "drill-records"
	if image != "" {
		where = image
		img, err := ociref.Resolve(ctx, image, c.opts...)
		if err != nil {
			return err
		}
		att, err := drill.Attached(ctx, img, c.opts...)
		if err != nil && len(att) == 0 {
			return err
		}
		cands = append(cands, att...)
	}
	rec, refused := drill.Newest(cands, c.verifier, id)
	fs := drill.Fresh(rec, refused, maxAge, c.now, "")
	for _, f := range fs {
		c.findings = append(c.findings, f)
		c.rows = append(c.rows, row{"DR drill", false, f.Message})
	}
	if len(fs) == 0 {
		c.pass("DR drill", fmt.Sprintf("passed %s ago (%s, %s)", c.now.Sub(rec.Statement.Predicate.Created).Round(time.Minute), rec.Statement.Predicate.Created.UTC().Format(time.RFC3339), where))
	}
	return nil
}

// table renders the checks for the summary, a row per check.
func (c *checks) table(copied string) string {
	var b strings.Builder
	b.WriteString("| | Check | Result |\n|---|---|---|\n")
	for _, r := range c.rows {
		mark := "✅"
		if !r.passed {
			mark = "❌"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", mark, r.check, gate.MarkdownText(r.detail))
	}
	if copied != "" {
		fmt.Fprintf(&b, "\nCopy: %s\n", gate.MarkdownCode(copied))
	}
	return b.String()
}

// checkRegexp refuses an identity pattern that does not compile.
func checkRegexp(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("is empty")
	}
	_, err := regexp.Compile(s)
	return err
}

// readDrillFiles reads the drill record bundles named by drill-records.
func readDrillFiles(in *gate.Inputs) ([]drill.Candidate, []evidence.Artifact, error) {
	var out []drill.Candidate
	var read []evidence.Artifact
	for _, f := range in.List(inputDrillRecords) {
		name := strings.TrimPrefix(f, "./")
		b, err := in.Workspace().ReadFile(name, 4<<20)
		if err != nil {
			return nil, nil, gate.FileInputError(inputDrillRecords, f, err)
		}
		out = append(out, drill.Candidate{Source: name, Bundle: b})
		read = append(read, evidence.Artifact{Path: name, Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))})
	}
	return out, read, nil
}
