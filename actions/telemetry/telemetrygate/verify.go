package telemetrygate

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/telemetry"
)

// sealedStream is a stream whose checkpoint verified.
type sealedStream struct {
	rel string
	cp  telemetry.Checkpoint
}

// verify checks every stream's chain against its checkpoint, signed by
// the key v trusts, then the checkpoints against each other: ordered by
// sealing time, each must name the head of the one before as previous.
func verify(in *gate.Inputs, streams []signer.Artifact, v trust) (*gate.Result, error) {
	root := in.Workspace()
	res := &gate.Result{Counters: map[string]int64{"streams": int64(len(streams))}}
	var sealed []sealedStream
	var b strings.Builder
	b.WriteString("| Stream | Events | Sealed | Head | Checked |\n|---|---|---|---|---|\n")
	add := func(rel string, line int, rule, msg string) {
		res.Findings = append(res.Findings, finding.Finding{Rule: rule, Severity: finding.Critical, Path: rel, Line: line,
			Message: msg, Fingerprint: finding.Fingerprint(rule, rel, msg)})
	}
	for _, a := range streams {
		st, d, err := readStream(root, a.Rel)
		if err != nil {
			return nil, err
		}
		res.Read = append(res.Read, d)
		res.Counters["events"] += int64(st.Count())
		verdict := "✅"
		p := st.Check()
		raw, err := readCheckpoint(root, a.Rel)
		var cp telemetry.Checkpoint
		switch {
		case errors.Is(err, errNoCheckpoint):
			add(a.Rel, 0, RuleCheckpointMissing, fmt.Sprintf("%s does not exist: nothing vouches for the stream's end", checkpointPath(a.Rel)))
			verdict = "❌ no checkpoint"
		case err != nil:
			return nil, gate.FileInputError(inputStreams, checkpointPath(a.Rel), err)
		default:
			cp, err = verifyCheckpoint(raw, v)
			switch {
			case errors.Is(err, sigstore.ErrUntrustedSigner):
				add(checkpointPath(a.Rel), 0, RuleCheckpointIdentity, err.Error())
				verdict = "❌ another signer"
			case err != nil:
				add(checkpointPath(a.Rel), 0, RuleCheckpointInvalid, sigstore.Excerpt(err.Error()))
				verdict = "❌ checkpoint does not verify"
			case p == nil:
				p = st.CheckSealed(cp.Count, cp.Head)
				sealed = append(sealed, sealedStream{rel: a.Rel, cp: cp})
			default:
				sealed = append(sealed, sealedStream{rel: a.Rel, cp: cp})
			}
		}
		if p != nil {
			res.Findings = append(res.Findings, problemFinding(a.Rel, p))
			if p.Kind != telemetry.Unsealed {
				verdict = fmt.Sprintf("❌ line %d %s", p.Line, p.Kind)
			} else if verdict == "✅" {
				verdict = fmt.Sprintf("✅ (%d unsealed after)", st.Count()-int(cp.Count))
			}
		}
		sealedAt, head := "", ""
		if cp.Head != "" {
			sealedAt, head = cp.SealedAt.Format("2006-01-02T15:04:05Z"), "`"+cp.Head+"`"
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", gate.MarkdownCode(a.Rel), st.Count(), sealedAt, head, verdict)
	}
	anchor := ""
	if in.Path(inputPrevious) != "" {
		raw, err := in.ReadFile(inputPrevious, maxCheckpoint)
		if err != nil {
			return nil, err
		}
		cp, err := verifyCheckpoint(raw, v)
		if err != nil {
			return nil, gate.BadInputf(inputPrevious, in.Raw(inputPrevious), "%v", err)
		}
		anchor = cp.Head
	}
	for _, g := range gaps(sealed, anchor) {
		add(g.rel, 1, RuleGap, g.msg)
	}
	return verifyResult(res, sealed, b.String()), nil
}

type gapFinding struct{ rel, msg string }

// gaps orders the sealed streams by sealing time and returns each one
// that does not follow the one before it.
func gaps(sealed []sealedStream, anchor string) []gapFinding {
	slices.SortStableFunc(sealed, func(a, b sealedStream) int {
		return cmp.Or(a.cp.SealedAt.Compare(b.cp.SealedAt), cmp.Compare(a.rel, b.rel))
	})
	var out []gapFinding
	for i, s := range sealed {
		switch {
		case i == 0 && anchor != "" && s.cp.Previous != anchor:
			out = append(out, gapFinding{s.rel, fmt.Sprintf("the oldest stream follows head %s, not previous-checkpoint's %s: a stream between them is missing", orNone(s.cp.Previous), anchor)})
		case i > 0 && s.cp.Previous != sealed[i-1].cp.Head:
			out = append(out, gapFinding{s.rel, fmt.Sprintf("the stream follows head %s, not %s of %s, sealed just before it: a stream between them is missing", orNone(s.cp.Previous), sealed[i-1].cp.Head, sealed[i-1].rel)})
		}
	}
	return out
}

func orNone(h string) string {
	if h == "" {
		return "none (a new series)"
	}
	return h
}

func verifyResult(res *gate.Result, sealed []sealedStream, details string) *gate.Result {
	bad := 0
	for _, f := range res.Findings {
		if f.Severity > finding.Info {
			bad++
		}
	}
	res.Denied = bad > 0
	n := int(res.Counters["streams"])
	if res.Denied {
		res.Reason = fmt.Sprintf("%d problem%s in %d stream%s: the telemetry cannot be trusted as written.", bad, plural(bad), n, plural(n))
	} else {
		res.Reason = fmt.Sprintf("%d stream%s, %d events: every chain whole, every checkpoint signed by the trusted key, no stream missing between them.", n, plural(n), res.Counters["events"])
	}
	head := ""
	if len(sealed) > 0 {
		head = sealed[len(sealed)-1].cp.Head
	}
	res.Details = details
	res.Outputs = map[string]string{outputEvents: strconv.FormatInt(res.Counters["events"], 10), outputHead: head}
	return res
}
