package telemetrygate

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/sigstore/sigstore-go/pkg/bundle"

	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/telemetry"
)

// maxCheckpoint bounds a checkpoint file: a bundle of one small statement.
const maxCheckpoint = 1 << 20

// errNoCheckpoint is returned for a stream without its checkpoint file.
var errNoCheckpoint = errors.New("no checkpoint")

// checkpointPath is where the checkpoint of the stream at rel lies.
func checkpointPath(rel string) string { return rel + telemetry.CheckpointSuffix }

// parseCheckpoint reads a checkpoint bundle: the DSSE envelope's
// statement, not yet checked against any key.
func parseCheckpoint(b []byte) (*bundle.Bundle, telemetry.Checkpoint, error) {
	bun, err := sigstore.ParseBundle(b)
	if err != nil {
		return nil, telemetry.Checkpoint{}, err
	}
	env := bun.GetDsseEnvelope()
	if env == nil {
		return nil, telemetry.Checkpoint{}, fmt.Errorf("%w: the bundle holds no DSSE envelope", telemetry.ErrBadCheckpoint)
	}
	if env.GetPayloadType() != sigstore.InTotoPayloadType {
		return nil, telemetry.Checkpoint{}, fmt.Errorf("%w: payload type: expected %q, got %q", telemetry.ErrBadCheckpoint, sigstore.InTotoPayloadType, env.GetPayloadType())
	}
	cp, err := telemetry.ParseStatement(env.GetPayload())
	return bun, cp, err
}

// trust is the key checkpoints must be signed with.
type trust struct {
	v     *sigstore.Verifier
	keyID string
}

// verifyCheckpoint checks a checkpoint bundle's signature with the
// trusted key, over the statement whose subject is the head it states,
// and returns the checkpoint. Errors wrap sigstore's: ErrUntrustedSigner
// when the bundle names another key and the signature does not verify
// with the trusted one (a DSSE signature, unlike a message signature,
// cannot otherwise tell another signer from a changed payload).
func verifyCheckpoint(b []byte, t trust) (telemetry.Checkpoint, error) {
	bun, cp, err := parseCheckpoint(b)
	if err != nil {
		return cp, err
	}
	head, err := cp.HeadBytes()
	if err != nil {
		return cp, err
	}
	if _, err := t.v.VerifyDigest(bun, sigstore.Digest{Algorithm: "sha256", Value: head}, nil); err != nil {
		if vc, verr := bun.VerificationContent(); verr == nil && vc.PublicKey() != nil && vc.PublicKey().Hint() != t.keyID {
			return cp, fmt.Errorf("%w: expected a signature by key %s, got one that names key %q: %w", sigstore.ErrUntrustedSigner, t.keyID, vc.PublicKey().Hint(), err)
		}
		return cp, err
	}
	return cp, nil
}

// readCheckpoint reads the checkpoint of the stream at rel through root.
func readCheckpoint(root *fsroot.Root, rel string) ([]byte, error) {
	b, err := root.ReadFile(checkpointPath(rel), maxCheckpoint)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoCheckpoint
	}
	return b, err
}
