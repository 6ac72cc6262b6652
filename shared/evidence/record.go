package evidence

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hubgates/hub/shared/finding"
)

// SchemaVersion is the version of the record format written by [Write].
const SchemaVersion = 1

// Artifact is something a gate read, named by its workspace-relative path
// (or reference) and its digest in canonical "algo:hex" form.
type Artifact struct {
	Path   string `json:"path"`
	Digest string `json:"digest"`
	Size   int64  `json:"size,omitempty"`
}

// Record is one gate run's evidence.
type Record struct {
	SchemaVersion int               `json:"schemaVersion"`
	Gate          string            `json:"gate"`
	Version       string            `json:"version"`
	Mode          string            `json:"mode"`
	Verdict       string            `json:"verdict"`
	ExitCode      int               `json:"exitCode"`
	Reason        string            `json:"reason,omitempty"`
	Error         string            `json:"error,omitempty"`
	Inputs        map[string]string `json:"inputs"`
	Findings      []finding.Finding `json:"findings"`
	Read          []Artifact        `json:"read"`
	// Facts are gate-specific results beside the findings, as the gate
	// shapes them (for example each probe's verdict of kyverno-proof).
	Facts      any       `json:"facts,omitempty"`
	Repository string    `json:"repository,omitempty"`
	SHA        string    `json:"sha,omitempty"`
	Ref        string    `json:"ref,omitempty"`
	RunID      string    `json:"runId,omitempty"`
	Started    time.Time `json:"started"`
	Finished   time.Time `json:"finished"`
}

// Marshal renders r as indented JSON with a trailing newline. Nil slices
// are written as empty arrays so consumers need no null checks.
func Marshal(r Record) ([]byte, error) {
	if r.Findings == nil {
		r.Findings = []finding.Finding{}
	}
	if r.Read == nil {
		r.Read = []Artifact{}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshaling evidence of %s: %w", r.Gate, err)
	}
	return append(b, '\n'), nil
}
