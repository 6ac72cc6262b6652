package monitor

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	rekorutil "github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// Policy says which identities are watched and which of them may sign.
type Policy struct {
	// Watch matches the certificate identities this monitor guards (for
	// example every workflow of an organisation).
	Watch []*regexp.Regexp
	// Allow matches, among the watched identities, those expected to sign
	// (a release workflow on a release tag). A watched identity that no
	// Allow pattern matches is unexpected.
	Allow []*regexp.Regexp
	// Since skips entries integrated before it; zero checks every entry.
	Since time.Time
	// MaxEntries caps the entries read in one run; the rest wait for the
	// next run. Zero means no cap.
	MaxEntries int64
}

// Monitor checks one log.
type Monitor struct {
	Client *Client
	// LogKey, when set, must verify every signed tree head.
	LogKey signature.Verifier
	Policy Policy
}

// Match is a log entry signed by a watched identity.
type Match struct {
	LogIndex       int64     `json:"logIndex"`
	UUID           string    `json:"uuid"`
	IntegratedTime time.Time `json:"integratedTime"`
	Signer
	// Expected is whether an Allow pattern matched.
	Expected bool `json:"expected"`
}

// Report is what one run checked and found.
type Report struct {
	// Initialized is true when this run started a new state.
	Initialized bool `json:"initialized"`
	// PreviousSize and TreeSize are the checked tree sizes before and now.
	PreviousSize int64 `json:"previousSize"`
	TreeSize     int64 `json:"treeSize"`
	// From and To are the global log indexes checked, To exclusive.
	From int64 `json:"from"`
	To   int64 `json:"to"`
	// Remaining counts entries left for the next run (MaxEntries).
	Remaining int64 `json:"remaining"`
	// Skipped counts entries outside the time window.
	Skipped int64 `json:"skipped"`
	// Matches are the entries signed by watched identities.
	Matches []Match `json:"matches"`
}

// Unexpected returns the matches no Allow pattern accepts.
func (r *Report) Unexpected() []Match {
	var out []Match
	for _, m := range r.Matches {
		if !m.Expected {
			out = append(out, m)
		}
	}
	return out
}

// Run checks the log since prev. A nil prev starts a new state at the
// log's current head without reading older entries. It returns the state
// to save; on ErrInconsistent or ErrBadCheckpoint the report says what was
// seen and no new state is returned, so the alarm repeats until a person
// looks.
func (m *Monitor) Run(ctx context.Context, prev *State) (*Report, *State, error) {
	li, err := m.Client.LogInfo(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := m.checkHead(li); err != nil {
		return &Report{TreeSize: li.TreeSize}, nil, err
	}
	next := &State{Version: StateVersion, RekorURL: m.Client.BaseURL, TreeID: li.TreeID, TreeSize: li.TreeSize,
		RootHash: li.RootHash, Checkpoint: li.SignedTreeHead, CheckedAt: time.Now().UTC()}
	offset := li.Offset()
	end := offset + li.TreeSize
	if prev == nil {
		next.NextIndex = end
		return &Report{Initialized: true, TreeSize: li.TreeSize, From: end, To: end}, next, nil
	}
	rep := &Report{PreviousSize: prev.TreeSize, TreeSize: li.TreeSize}
	if err := m.checkConsistent(ctx, prev, li); err != nil {
		return rep, nil, err
	}
	from := max(prev.NextIndex, offset)
	to := end
	if m.Policy.MaxEntries > 0 && to-from > m.Policy.MaxEntries {
		to = from + m.Policy.MaxEntries
	}
	rep.From, rep.To, rep.Remaining = from, to, end-to
	for i := from; i < to; i += MaxBatch {
		batch := make([]int64, 0, MaxBatch)
		for j := i; j < min(i+MaxBatch, to); j++ {
			batch = append(batch, j)
		}
		entries, err := m.Client.Entries(ctx, batch)
		if err != nil {
			return rep, nil, err
		}
		if err := checkBatch(batch, entries); err != nil {
			return rep, nil, err
		}
		for _, e := range entries {
			if err := m.check(e, rep); err != nil {
				return rep, nil, err
			}
		}
	}
	next.NextIndex = to
	return rep, next, nil
}

// checkBatch makes sure the log answered the indexes asked, each entry
// once, and that each body is the leaf its UUID names (the UUID ends with
// the RFC 6962 leaf hash of the body), so a proxy cannot swap bodies.
func checkBatch(asked []int64, got []Entry) error {
	want := map[int64]bool{}
	for _, i := range asked {
		want[i] = true
	}
	for _, e := range got {
		if !want[e.LogIndex] {
			return fmt.Errorf("%w: /api/v1/log/entries/retrieve: expected log indexes %v, got %d (or twice)", ErrMalformed, asked, e.LogIndex)
		}
		delete(want, e.LogIndex)
		body, err := base64.StdEncoding.DecodeString(e.Body)
		if err != nil {
			return fmt.Errorf("%w: entry %d: body is not base64", ErrMalformed, e.LogIndex)
		}
		leaf := hex.EncodeToString(rfc6962.DefaultHasher.HashLeaf(body))
		if len(e.UUID) < 64 || !strings.EqualFold(e.UUID[len(e.UUID)-64:], leaf) {
			return fmt.Errorf("%w: entry %d: expected a UUID ending in the body's leaf hash %s, got %q", ErrMalformed, e.LogIndex, leaf, e.UUID)
		}
	}
	return nil
}

// checkHead verifies the signed tree head describes the tree the log
// reports and, with a key, that the log signed it.
func (m *Monitor) checkHead(li *LogInfo) error {
	var sc rekorutil.SignedCheckpoint
	if err := sc.UnmarshalText([]byte(li.SignedTreeHead)); err != nil {
		return fmt.Errorf("%w: signedTreeHead: %v", ErrMalformed, err)
	}
	if sc.Size != uint64(li.TreeSize) || hex.EncodeToString(sc.Hash) != li.RootHash {
		return fmt.Errorf("%w: expected the checkpoint to describe size %d root %s, got size %d root %x",
			ErrBadCheckpoint, li.TreeSize, li.RootHash, sc.Size, sc.Hash)
	}
	if m.LogKey != nil && !sc.Verify(m.LogKey) {
		return fmt.Errorf("%w: the signature on the tree head of size %d does not verify with the log's public key", ErrBadCheckpoint, li.TreeSize)
	}
	return nil
}

// checkConsistent proves the new tree extends the saved one.
func (m *Monitor) checkConsistent(ctx context.Context, prev *State, li *LogInfo) error {
	if prev.TreeID != "" && li.TreeID != "" && prev.TreeID != li.TreeID {
		return fmt.Errorf("%w: expected tree %s, got tree %s (the log changed shard: re-initialize the state after checking why)", ErrInconsistent, prev.TreeID, li.TreeID)
	}
	switch {
	case li.TreeSize < prev.TreeSize:
		return fmt.Errorf("%w: expected a tree of at least %d entries, got %d", ErrInconsistent, prev.TreeSize, li.TreeSize)
	case li.TreeSize == prev.TreeSize:
		if li.RootHash != prev.RootHash {
			return fmt.Errorf("%w: expected root %s at size %d, got %s", ErrInconsistent, prev.RootHash, li.TreeSize, li.RootHash)
		}
		return nil
	case prev.TreeSize == 0:
		return nil
	}
	hashes, err := m.Client.ConsistencyProof(ctx, prev.TreeSize, li.TreeSize, li.TreeID)
	if err != nil {
		return err
	}
	oldRoot, _ := hex.DecodeString(prev.RootHash)
	newRoot, _ := hex.DecodeString(li.RootHash)
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, uint64(prev.TreeSize), uint64(li.TreeSize), hashes, oldRoot, newRoot); err != nil {
		// err lists the computed roots as byte arrays over several lines;
		// the hex roots say the same in one.
		return fmt.Errorf("%w: the tree of size %d (root %s) is not a prefix of the tree of size %d (root %s)",
			ErrInconsistent, prev.TreeSize, prev.RootHash, li.TreeSize, li.RootHash)
	}
	return nil
}

// check records an entry signed by a watched identity.
func (m *Monitor) check(e Entry, rep *Report) error {
	at := time.Unix(e.IntegratedTime, 0).UTC()
	if !m.Policy.Since.IsZero() && at.Before(m.Policy.Since) {
		rep.Skipped++
		return nil
	}
	signers, err := Signers(e.Body)
	if err != nil {
		return fmt.Errorf("entry %d: %w", e.LogIndex, err)
	}
	for _, s := range signers {
		if !anyMatch(m.Policy.Watch, s.Identity) {
			continue
		}
		rep.Matches = append(rep.Matches, Match{LogIndex: e.LogIndex, UUID: e.UUID, IntegratedTime: at, Signer: s,
			Expected: anyMatch(m.Policy.Allow, s.Identity)})
	}
	return nil
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// IsVerdict reports whether err is a finding about the log (inconsistent
// or badly signed) rather than a failure to decide.
func IsVerdict(err error) bool {
	return errors.Is(err, ErrInconsistent) || errors.Is(err, ErrBadCheckpoint)
}
