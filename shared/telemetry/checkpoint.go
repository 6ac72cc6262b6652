package telemetry

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// CheckpointPredicateType is the in-toto predicate type of a checkpoint.
const CheckpointPredicateType = "https://github.com/hubgates/hub/telemetry/checkpoint/v1"

// CheckpointSuffix names a stream's checkpoint file: "<stream>" + suffix.
const CheckpointSuffix = ".checkpoint.sigstore.json"

// Checkpoint seals a stream: its first Count events, whose last line
// hashes to Head. Previous is the Head of the stream sealed before it
// (empty for the first), so a chain of checkpoints shows a missing stream.
type Checkpoint struct {
	Stream   string    `json:"stream"`
	Count    int64     `json:"count"`
	Head     string    `json:"head"`
	SealedAt time.Time `json:"sealedAt"`
	Previous string    `json:"previous,omitempty"`
}

// statement is the in-toto Statement v1 a checkpoint is signed as: the
// subject is the stream, named with its head as digest, so a verifier
// given the head checks the signature and the subject in one step.
type statement struct {
	Type          string     `json:"_type"`
	Subject       []subject  `json:"subject"`
	PredicateType string     `json:"predicateType"`
	Predicate     Checkpoint `json:"predicate"`
}

type subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// ErrBadCheckpoint is wrapped by every error about a checkpoint's content.
var ErrBadCheckpoint = errors.New("bad telemetry checkpoint")

var hashPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Statement renders c as the in-toto statement to sign.
func (c Checkpoint) Statement() ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	st := statement{
		Type:          "https://in-toto.io/Statement/v1",
		Subject:       []subject{{Name: c.Stream, Digest: map[string]string{"sha256": strings.TrimPrefix(c.Head, "sha256:")}}},
		PredicateType: CheckpointPredicateType,
		Predicate:     c,
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encoding checkpoint of %q: %w", c.Stream, err)
	}
	return b, nil
}

// HeadBytes is the head's SHA-256 as bytes, the subject digest a
// signature over the statement is checked against.
func (c Checkpoint) HeadBytes() ([]byte, error) {
	if !hashPattern.MatchString(c.Head) {
		return nil, fmt.Errorf("%w: head %q is not sha256:<64 hex>", ErrBadCheckpoint, c.Head)
	}
	return hex.DecodeString(strings.TrimPrefix(c.Head, "sha256:"))
}

func (c Checkpoint) check() error {
	switch {
	case c.Count < 1:
		return fmt.Errorf("%w: count %d: a checkpoint seals at least one event", ErrBadCheckpoint, c.Count)
	case !hashPattern.MatchString(c.Head):
		return fmt.Errorf("%w: head %q is not sha256:<64 hex>", ErrBadCheckpoint, c.Head)
	case c.Previous != "" && !hashPattern.MatchString(c.Previous):
		return fmt.Errorf("%w: previous %q is not sha256:<64 hex>", ErrBadCheckpoint, c.Previous)
	case c.SealedAt.IsZero():
		return fmt.Errorf("%w: no sealing time", ErrBadCheckpoint)
	}
	return nil
}

// ParseStatement reads a checkpoint from a signed statement's payload. It
// checks the statement's shape and that its subject digest is the head;
// the signature is the caller's to check.
func ParseStatement(payload []byte) (Checkpoint, error) {
	var st statement
	if err := json.Unmarshal(payload, &st); err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %v", ErrBadCheckpoint, err)
	}
	c := st.Predicate
	if st.PredicateType != CheckpointPredicateType {
		return c, fmt.Errorf("%w: predicate type: expected %q, got %q", ErrBadCheckpoint, CheckpointPredicateType, st.PredicateType)
	}
	if err := c.check(); err != nil {
		return c, err
	}
	if len(st.Subject) != 1 || "sha256:"+st.Subject[0].Digest["sha256"] != c.Head {
		return c, fmt.Errorf("%w: the subject is not the sealed head %s", ErrBadCheckpoint, c.Head)
	}
	return c, nil
}
