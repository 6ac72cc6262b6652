package provenance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/gate"
)

// artifactDigest hashes a workspace file as it streams, through the
// workspace root: no path or link leads the read outside. A file that is
// missing, leads out or is not a regular file is bad input naming the
// artifacts input.
func artifactDigest(in *gate.Inputs, name string) (digest.Digest, error) {
	f, _, err := in.Workspace().OpenRegular(name)
	if err != nil {
		return digest.Digest{}, gate.FileInputError(inputArtifacts, name, err)
	}
	defer f.Close()
	d, _, err := digest.FromReader(digest.SHA256, f)
	if err != nil {
		return digest.Digest{}, fmt.Errorf("reading %s: %w", name, err)
	}
	return d, nil
}

// readName is how the evidence names the file a Path input points at:
// workspace-relative, or under $RUNNER_TEMP, never the host's path.
func readName(in *gate.Inputs, input string) string {
	r, rel := in.Root(input)
	if r != nil && r != in.Workspace() {
		return "$RUNNER_TEMP/" + rel
	}
	return rel
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

// verifyAny accepts the subject when one candidate provenance verifies
// it; otherwise it returns the most telling failure ([moreTelling]).
func verifyAny[T any](ctx context.Context, candidates []T, verify func(context.Context, T) (*Report, error)) (*Report, error) {
	var firstErr error
	var firstRep *Report
	for _, c := range candidates {
		if err := ctx.Err(); err != nil {
			return nil, context.Cause(ctx)
		}
		rep, err := verify(ctx, c)
		if err == nil {
			return rep, nil
		}
		if errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		if moreTelling(firstErr, err) {
			firstErr, firstRep = err, rep
		}
	}
	return firstRep, firstErr
}

// moreTelling reports whether err says more than the failure kept so far:
// the first failure is kept, unless it only says the provenance is about
// other bytes and err is about this subject.
func moreTelling(kept, err error) bool {
	return kept == nil || (errors.Is(kept, ErrMismatchArtifact) && !errors.Is(err, ErrMismatchArtifact))
}
