package telemetrygate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/telemetry"
)

// seal signs a checkpoint for each stream, in path order, each naming the
// head of the one before (the first, previous-checkpoint's). A stream
// whose chain is already broken is not sealed: sealing would vouch for
// the tampering. Its finding denies the run.
func seal(ctx context.Context, in *gate.Inputs, streams []signer.Artifact, s sigstore.DSSESigner, now time.Time) (*gate.Result, error) {
	previous := ""
	if in.Path(inputPrevious) != "" {
		b, err := in.ReadFile(inputPrevious, maxCheckpoint)
		if err != nil {
			return nil, err
		}
		_, cp, err := parseCheckpoint(b)
		if err != nil {
			return nil, gate.BadInputf(inputPrevious, in.Raw(inputPrevious), "%v", err)
		}
		previous = cp.Head
	}
	root := in.Workspace()
	res := &gate.Result{Counters: map[string]int64{"streams": int64(len(streams))}}
	var written []string
	var b strings.Builder
	b.WriteString("| Stream | Events | Head | Checkpoint |\n|---|---|---|---|\n")
	for _, a := range streams {
		st, d, err := readStream(root, a.Rel)
		if err != nil {
			return nil, err
		}
		res.Read = append(res.Read, d)
		if st.Count() == 0 {
			return nil, gate.BadInputf(inputStreams, a.Rel, "holds no events: there is nothing to seal")
		}
		if p := st.Check(); p != nil {
			res.Findings = append(res.Findings, problemFinding(a.Rel, p))
			continue
		}
		if err := checkWritable(root, checkpointPath(a.Rel)); err != nil {
			return nil, gate.BadInputf(inputStreams, a.Rel, "%v", err)
		}
		cp := telemetry.Checkpoint{Stream: a.Rel, Count: int64(st.Count()), Head: st.HeadAt(st.Count()), SealedAt: now, Previous: previous}
		payload, err := cp.Statement()
		if err != nil {
			return nil, err
		}
		sig, err := s.SignDSSE(ctx, sigstore.InTotoPayloadType, payload)
		if err != nil {
			return nil, fmt.Errorf("sealing %s: %w", a.Rel, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("sealing %s: %w", a.Rel, context.Cause(ctx))
		}
		if err := root.WriteFile(checkpointPath(a.Rel), sig.Bundle, 0o644); err != nil {
			return nil, fmt.Errorf("writing the checkpoint of %s: %w", a.Rel, err)
		}
		written = append(written, checkpointPath(a.Rel))
		res.Counters["events"] += cp.Count
		previous = cp.Head
		fmt.Fprintf(&b, "| %s | %d | `%s` | %s |\n", gate.MarkdownCode(a.Rel), cp.Count, cp.Head, gate.MarkdownCode(checkpointPath(a.Rel)))
	}
	res.Denied = len(res.Findings) > 0
	res.Reason = fmt.Sprintf("Sealed %d stream%s (%d events).", len(written), plural(len(written)), res.Counters["events"])
	if res.Denied {
		res.Reason += fmt.Sprintf(" %d stream%s not sealed: tampered before sealing.", len(res.Findings), plural(len(res.Findings)))
	}
	res.Details = b.String()
	res.Outputs = map[string]string{
		outputCheckpoints: strings.Join(written, "\n"),
		outputEvents:      strconv.FormatInt(res.Counters["events"], 10),
		outputHead:        previous,
	}
	return res, nil
}

// checkWritable refuses a checkpoint path that is a link or not a regular
// file: the checkpoint is written in its place, never through it.
func checkWritable(root *fsroot.Root, rel string) error {
	fi, err := root.Lstat(rel)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("its checkpoint %q cannot be checked: %w", rel, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("its checkpoint %q is a symbolic link; remove it", rel)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("its checkpoint %q is not a regular file", rel)
	}
	return nil
}

// readStream reads a stream through root, streamed once: the chain and
// the file's SHA-256 for the evidence come from the same read.
func readStream(root *fsroot.Root, rel string) (*telemetry.Stream, evidence.Artifact, error) {
	f, fi, err := root.OpenRegular(rel)
	if err != nil {
		return nil, evidence.Artifact{}, gate.FileInputError(inputStreams, rel, err)
	}
	defer f.Close()
	h := sha256.New()
	st, err := telemetry.ReadStream(io.TeeReader(f, h))
	if errors.Is(err, telemetry.ErrLineTooLong) {
		return nil, evidence.Artifact{}, gate.BadInputf(inputStreams, rel, "%v", err)
	}
	if err != nil {
		return nil, evidence.Artifact{}, fmt.Errorf("reading %s: %w", rel, err)
	}
	return st, evidence.Artifact{Path: rel, Digest: "sha256:" + hex.EncodeToString(h.Sum(nil)), Size: fi.Size()}, nil
}

// problemFinding turns the first bad line of a stream into its finding.
func problemFinding(rel string, p *telemetry.Problem) finding.Finding {
	rule := string(p.Kind)
	sev := finding.Critical
	if p.Kind == telemetry.Unsealed {
		sev = finding.Info
	}
	return finding.Finding{Rule: rule, Severity: sev, Path: rel, Line: p.Line,
		Message:     fmt.Sprintf("line %d: %s", p.Line, p.Message),
		Fingerprint: finding.Fingerprint(rule, rel, strconv.Itoa(p.Line))}
}
