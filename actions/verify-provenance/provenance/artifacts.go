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

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/gate"
)

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
