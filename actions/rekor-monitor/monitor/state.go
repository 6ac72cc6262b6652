package monitor

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/hubgates/hub/shared/fsroot"
)

// StateVersion is the version of the state file format.
const StateVersion = 1

// State is what the previous run checked, kept in a file the caller
// persists between runs (an Actions cache or artifact, a branch).
type State struct {
	Version int `json:"version"`
	// RekorURL is the log the state is about; a state is refused for
	// another log.
	RekorURL string `json:"rekorUrl"`
	// TreeID, TreeSize and RootHash are the active shard's tree as the
	// last verified checkpoint describes it.
	TreeID   string `json:"treeId,omitempty"`
	TreeSize int64  `json:"treeSize"`
	RootHash string `json:"rootHash"`
	// Checkpoint is that signed tree head, as the log served it.
	Checkpoint string `json:"checkpoint"`
	// NextIndex is the global log index of the first entry not checked yet.
	NextIndex int64 `json:"nextIndex"`
	// CheckedAt is when the state was written.
	CheckedAt time.Time `json:"checkedAt"`
}

// maxStateBytes bounds the state file read: a real one is a few hundred
// bytes.
const maxStateBytes = 1 << 20

// LoadState reads the state file name inside root (a link cannot lead the
// read outside it). A missing file is ErrNoState (and fs.ErrNotExist).
func LoadState(root *fsroot.Root, name string) (*State, error) {
	path := name
	b, err := root.ReadFile(name, maxStateBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", ErrNoState, err)
	}
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("state file %q: %w", path, err)
	}
	if s.Version != StateVersion {
		return nil, fmt.Errorf("state file %q: expected version %d, got %d", path, StateVersion, s.Version)
	}
	if s.TreeSize < 0 || s.NextIndex < 0 || len(s.RootHash) != 64 {
		return nil, fmt.Errorf("state file %q: expected a tree size, a 64-hex root hash and a next index, got %d, %q, %d", path, s.TreeSize, s.RootHash, s.NextIndex)
	}
	return &s, nil
}

// Save writes the state to the file name inside root atomically: a reader
// sees the old file or the new one, never a part.
func (s *State) Save(root *fsroot.Root, name string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return root.WriteFile(name, append(b, '\n'), 0o644)
}
