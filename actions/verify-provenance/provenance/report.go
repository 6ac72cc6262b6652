package provenance

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
)

// tally collects each subject's outcome into the gate's result.
type tally struct {
	res      *gate.Result
	rows     []string
	verified int
	builders map[string]bool
	refs     map[string]bool
	images   []string // verified images, as digest references
}

func newTally() *tally {
	return &tally{res: &gate.Result{Outputs: map[string]string{}, Counters: map[string]int64{}},
		builders: map[string]bool{}, refs: map[string]bool{}}
}

// add records one subject's outcome. label names it in the table; path
// is the workspace file a finding points at, empty for an image, whose
// finding names it in its message instead.
func (t *tally) add(label, path string, d digest.Digest, rep *Report, err error) {
	if err != nil {
		rule := ruleFor(err)
		msg := oneLine(err)
		if path == "" {
			msg = label + ": " + msg
		}
		t.res.Findings = append(t.res.Findings, finding.Finding{Rule: rule, Severity: severityOf(rule),
			Message: msg, Path: path, Fingerprint: finding.Fingerprint(rule, label, d.String())})
		t.rows = append(t.rows, row(label, d, "❌ "+rule, rep))
		return
	}
	t.verified++
	t.rows = append(t.rows, row(label, d, "✅ verified", rep))
	if rep.Claims != nil {
		t.builders[rep.Claims.BuilderID] = true
		t.refs[refOf(rep.Claims)] = true
	}
}

// missing records an image with no SLSA provenance attached.
func (t *tally) missing(label string, img ociref.Image, skipped int) {
	msg := fmt.Sprintf("%s: no SLSA provenance is attached to the digest (looked for cosign's %s-%s.att tag and the OCI referrers", label, img.Digest.Algorithm, img.Digest.Hex)
	if skipped > 0 {
		msg += fmt.Sprintf("; %d other attachments are not SLSA provenance", skipped)
	}
	msg += ")"
	t.res.Findings = append(t.res.Findings, finding.Finding{Rule: RuleMissing, Severity: severityOf(RuleMissing),
		Message: msg, Fingerprint: finding.Fingerprint(RuleMissing, label, img.Digest.String())})
	t.rows = append(t.rows, row(label, img.Digest, "❌ "+RuleMissing, nil))
}

// result completes the gate's result: outputs, counters, verdict and
// summary.
func (t *tally) result(in *gate.Inputs, p Policy, pathName string, artifacts, images int) *gate.Result {
	res := t.res
	total := artifacts + images
	res.Outputs[outputVerified] = strconv.Itoa(t.verified)
	res.Outputs[outputVerifiedImages] = strings.Join(t.images, "\n")
	if len(t.builders) == 1 && len(res.Findings) == 0 {
		for b := range t.builders {
			res.Outputs[outputBuilderID] = b
		}
		for r := range t.refs {
			res.Outputs[outputSourceRef] = r
		}
	}
	res.Counters["artifacts"] = int64(artifacts)
	res.Counters["images"] = int64(images)
	res.Counters["verified"] = int64(t.verified)
	res.Denied = len(res.Findings) > 0
	noun := "artifacts"
	switch {
	case artifacts == 0:
		noun = "images"
	case images > 0:
		noun = "artifacts and images"
	}
	if res.Denied {
		res.Reason = fmt.Sprintf("%d of %d %s failed provenance verification (%s path).", total-t.verified, total, noun, pathName)
	} else {
		res.Reason = fmt.Sprintf("%d of %d %s have provenance from %s for %s (%s path).", t.verified, total, noun, p.BuilderID, p.SourceURI, pathName)
	}
	network := "no network"
	if images > 0 {
		network = "no Sigstore service; images read from their registry"
	}
	described := map[string]string{"offline": "offline (sigstore-go, trusted root " + gate.MarkdownCode(in.Raw(inputTrustedRoot)) + ", " + network + ")",
		"slsa-verifier": "online (slsa-verifier v2.7.1, Sigstore public-good trust root through TUF)"}[pathName]
	res.Details = "**Verification path:** " + described + "\n\n| Subject | Digest | Result | Builder | Source | Log index |\n|---|---|---|---|---|---|\n" + strings.Join(t.rows, "")
	return res
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
		if rep.Claims.Delegator != "" {
			builder += " (through " + path.Base(workflowName(rep.Claims.Delegator)) + ")"
		}
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
	return fmt.Sprintf("| %s | `%s` | %s | %s | %s | %s |\n", gate.MarkdownCode(name), short, result, gate.MarkdownText(builder), gate.MarkdownText(source), index)
}
