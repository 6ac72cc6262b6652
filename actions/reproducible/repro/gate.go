package repro

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/waiver"
)

// gateName is the gate's name.
const gateName = "reproducible"

// The gate's inputs.
const (
	inputExpected = "expected"
	inputActual   = "actual"
	inputNoise    = "noise"
	inputMaxDays  = "max-noise-days"
	inputMax      = "max-differences"
	inputTimeout  = "timeout"
)

// The gate's outputs.
const (
	outputIdentical = "identical"
	outputExpected  = "expected-digest"
	outputActual    = "actual-digest"
	outputDiffs     = "differences"
	outputNoise     = "accepted-noise"
)

const sideDescription = " A path in the workspace (a file; a tar, tar.gz or zip archive; a folder; an OCI image layout, a folder with an oci-layout file) or docker://REF for an image or index in a registry (by tag or @sha256:digest; credentials from the Docker config). Both must be of the same kind."

// Gate is the reproducible gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "Proves two builds of the same source are identical, and explains the first byte where they are not",
		Description: "Compares two builds of the same source: files, folders, tar, tar.gz and zip archives, OCI image layouts, and images or indexes in a registry. " +
			"Equal digests pass at once; otherwise it walks down and reports each difference as a finding: platforms of an index, manifest fields, each config field (created, history, env, labels, rootfs), layers, tar entries (path, type, mode, owner, mtime, xattrs, link target, order, content) with the first differing byte and an escaped excerpt, and the Go build information of binaries. " +
			"Known, accepted noise is named explicitly with an expiry (the noise input) and recorded in the evidence.",
		Inputs: []gate.Input{
			{Name: inputExpected, Kind: gate.String, Required: true,
				Description: "The reference build: the released artifact, or the first of two builds." + sideDescription},
			{Name: inputActual, Kind: gate.String, Required: true,
				Description: "The rebuild compared with expected." + sideDescription},
			{Name: inputNoise, Kind: gate.List,
				Description: "Accepted noise, one per line: RULE GLOB until YYYY-MM-DD (entry-mtime usr/share/doc/** until 2027-03-01). Differences of that rule whose subject (an entry's path, a config field such as created or config.Labels, a platform) matches the doublestar glob are reported as accepted and do not deny; each line is recorded in the evidence. A line whose date has passed no longer applies and is reported."},
			{Name: inputMaxDays, Kind: gate.Int, Default: strconv.Itoa(waiver.DefaultMaxDays), Check: atLeastOne,
				Description: "The furthest ahead a noise line's date may be, in days, as for waivers: every accepted noise is reviewed again."},
			{Name: inputMax, Kind: gate.Int, Default: "200", Check: atLeastOne,
				Description: "Most differences to report; the rest are counted. Two builds that differ everywhere stay a readable report."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "5m",
				Description: "Longest time for reading images from a registry; when it passes the run ends undecided (exit 3)."},
		},
		Outputs: []gate.Output{
			{Name: outputIdentical, Description: "true when both builds have the same digest (nothing was walked), or for folders when every entry is alike; else false."},
			{Name: outputExpected, Description: "The digest of expected (sha256:..., the index or manifest for images); empty for folders."},
			{Name: outputActual, Description: "The digest of actual; empty for folders."},
			{Name: outputDiffs, Description: "The number of differences found, accepted noise included."},
			{Name: outputNoise, Description: "The number of differences accepted by the noise input."},
		},
		Rules: Rules,
	},
	Run: run,
}

func atLeastOne(v any) error {
	if n, ok := v.(int); ok && n < 1 {
		return errors.New("want 1 or more")
	}
	return nil
}

// facts are the evidence's record of the comparison.
type facts struct {
	Expected  sideFact       `json:"expected"`
	Actual    sideFact       `json:"actual"`
	Identical bool           `json:"identical"`
	Noise     []*noiseOption `json:"noise"`
	Omitted   int            `json:"omittedDifferences,omitempty"`
}

type sideFact struct {
	Value  string `json:"value"`
	Kind   string `json:"kind"`
	Digest string `json:"digest,omitempty"`
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	noise, err := parseNoise(in.List(inputNoise), in.Env.Now, in.Int(inputMaxDays))
	if err != nil {
		return nil, &gate.InputError{Input: inputNoise, Value: in.Raw(inputNoise), Problem: err.Error(), Err: err}
	}
	a, err := resolve(in, inputExpected)
	if err != nil {
		return nil, err
	}
	b, err := resolve(in, inputActual)
	if err != nil {
		return nil, err
	}
	if a.kind != b.kind && !(isImage(a.kind) && isImage(b.kind)) {
		return nil, gate.BadInputf(inputActual, b.value, "is a %s, but expected (%q) is a %s: compare builds of the same kind", b.kind, a.value, a.kind)
	}
	c := &comparison{ctx: ctx, a: a, b: b, limit: in.Int(inputMax), timeout: in.Duration(inputTimeout)}
	out, err := c.run()
	if err != nil {
		return nil, sideInputError(err, a, b)
	}
	path := ""
	if b.kind != kindRegistry {
		path = strings.TrimPrefix(b.value, "./")
	}
	fs, accepted := findings(out.rec.diffs, noise, path)
	denying := finding.CountAtLeast(fs, finding.High)
	res := &gate.Result{
		Findings: fs,
		Denied:   finding.CountAtLeast(fs, finding.Medium) > 0,
		Outputs: map[string]string{
			outputIdentical: strconv.FormatBool(out.identical),
			outputExpected:  out.digA, outputActual: out.digB,
			outputDiffs: strconv.Itoa(len(out.rec.diffs) + out.rec.dropped),
			outputNoise: strconv.Itoa(accepted),
		},
		Read: read(a, b, out),
		Counters: map[string]int64{"entries": out.entries, "bytes": out.bytes, "layers": out.layers,
			"differences": int64(len(out.rec.diffs) + out.rec.dropped), "accepted": int64(accepted)},
		Facts: facts{Expected: sideFact{a.value, a.kind.String(), out.digA}, Actual: sideFact{b.value, b.kind.String(), out.digB},
			Identical: out.identical, Noise: noise, Omitted: out.rec.dropped},
	}
	res.Reason = reason(out, accepted, denying)
	res.Details = details(a, b, out, noise)
	return res, nil
}

func isImage(k kind) bool { return k == kindLayout || k == kindRegistry }

// findings turns differences into findings, marking those a noise line
// accepts, and reports expired noise lines.
func findings(diffs []diff, noise []*noiseOption, path string) ([]finding.Finding, int) {
	sev := map[string]finding.Severity{}
	for _, r := range Rules {
		sev[r.ID] = r.Severity
	}
	var out []finding.Finding
	accepted := 0
	for _, d := range diffs {
		f := finding.Finding{Rule: d.rule, Severity: sev[d.rule], Message: d.text(), Path: path,
			Fingerprint: finding.Fingerprint(d.rule, path, d.text())}
		for _, o := range noise {
			if o.matches(d) {
				if o.Expired {
					o.Matched++
					continue
				}
				o.Matched++
				f.Suppression = o.suppression()
				accepted++
				break
			}
		}
		out = append(out, f)
	}
	for _, o := range noise {
		if o.Expired {
			msg := fmt.Sprintf("noise line %d (%s %s until %s) has expired: the %d difference(s) it matched count again", o.Line, o.Rule, o.Glob, o.Until, o.Matched)
			out = append(out, finding.Finding{Rule: RuleNoiseExpired, Severity: finding.Medium, Message: msg,
				Fingerprint: finding.Fingerprint(RuleNoiseExpired, "", fmt.Sprintf("%s %s %s", o.Rule, o.Glob, o.Until))})
		}
	}
	return out, accepted
}

func reason(out *outcome, accepted, denying int) string {
	switch {
	case out.identical && out.digA == "":
		return fmt.Sprintf("Both folders hold the same %d entries, alike in type, mode, link target and content.", out.entries)
	case out.identical:
		return "Both builds have the same digest " + out.digA + "."
	case denying == 0 && accepted > 0:
		return fmt.Sprintf("The builds differ only in %d difference(s) the noise input accepts.", accepted)
	case denying == 0:
		return "The builds differ in bytes but in nothing the walk could name."
	}
	s := fmt.Sprintf("The builds differ: %d difference(s)", len(out.rec.diffs)+out.rec.dropped)
	if accepted > 0 {
		s += fmt.Sprintf(", %d accepted as noise", accepted)
	}
	if out.rec.dropped > 0 {
		s += fmt.Sprintf(", %d beyond max-differences not listed", out.rec.dropped)
	}
	return s + "."
}

func details(a, b *source, out *outcome, noise []*noiseOption) string {
	var sb strings.Builder
	sb.WriteString("| Build | Input | Kind | Digest |\n|---|---|---|---|\n")
	for _, r := range [][3]string{{"expected", a.value, a.kind.String()}, {"actual", b.value, b.kind.String()}} {
		d := out.digA
		if r[0] == "actual" {
			d = out.digB
		}
		if d == "" {
			d = "—"
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | `%s` |\n", r[0], gate.MarkdownCode(r[1]), r[2], d)
	}
	if len(noise) > 0 {
		sb.WriteString("\n**Accepted noise** (the noise input):\n\n| Line | Rule | Glob | Until | Matched | |\n|---|---|---|---|---|---|\n")
		for _, o := range noise {
			state := "applies"
			if o.Expired {
				state = "**expired**"
			}
			fmt.Fprintf(&sb, "| %d | `%s` | %s | %s | %d | %s |\n", o.Line, o.Rule, gate.MarkdownCode(o.Glob), o.Until, o.Matched, state)
		}
	}
	return sb.String()
}

// sideInputError names the input whose own content is at fault: a file or
// blob missing from the workspace, a link out of it, a blob that does not
// match its digest. A registry's failures stay undecided.
func sideInputError(err error, a, b *source) error {
	var se *sideError
	if !errors.As(err, &se) {
		return err
	}
	s := a
	if se.side == "actual" {
		s = b
	}
	if s.kind == kindRegistry {
		return err
	}
	switch {
	case s.kind == kindLayout && errors.Is(err, fs.ErrNotExist):
		return &gate.InputError{Input: s.input, Value: s.value, Problem: "is an OCI image layout that lacks a file it names: " + err.Error(), Err: err}
	case errors.Is(err, errDigestMismatch):
		return &gate.InputError{Input: s.input, Value: s.value, Problem: "holds a blob that does not match its digest: " + err.Error(), Err: err}
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fsroot.ErrEscapes), errors.Is(err, fsroot.ErrNotRegular), errors.Is(err, fsroot.ErrTooLarge):
		return gate.FileInputError(s.input, s.value, err)
	}
	return err
}

// read lists both sides with their digests for the evidence; a folder has
// none and is listed in the facts only.
func read(a, b *source, out *outcome) []evidence.Artifact {
	var rs []evidence.Artifact
	if out.digA != "" {
		rs = append(rs, evidence.Artifact{Path: a.value, Digest: out.digA})
	}
	if out.digB != "" {
		rs = append(rs, evidence.Artifact{Path: b.value, Digest: out.digB})
	}
	return rs
}
