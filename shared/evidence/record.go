package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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

// findingsSlot is where Marshal puts the findings of a record marshaled
// without them: Encode writes them there one at a time.
const findingsSlot = "\n  \"findings\": [],\n"

// Encode writes r to w exactly as Marshal renders it, but one finding at a
// time, so a run with hundreds of thousands of findings does not build its
// evidence in memory.
func Encode(w io.Writer, r Record) error {
	findings := r.Findings
	r.Findings = nil
	head, err := Marshal(r)
	if err != nil {
		return err
	}
	i := bytes.Index(head, []byte(findingsSlot))
	if i < 0 || len(findings) == 0 {
		_, err := w.Write(head)
		return err
	}
	if _, err := w.Write(head[:i+bytes.IndexByte([]byte(findingsSlot), '[')+1]); err != nil {
		return err
	}
	for n, f := range findings {
		b, err := json.MarshalIndent(f, "    ", "  ")
		if err != nil {
			return fmt.Errorf("marshaling evidence of %s: %w", r.Gate, err)
		}
		sep := ",\n    "
		if n == 0 {
			sep = "\n    "
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, "\n  ],\n"); err != nil {
		return err
	}
	_, err = w.Write(head[i+len(findingsSlot):])
	return err
}
