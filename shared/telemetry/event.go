package telemetry

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hubgates/hub/shared/fsroot"
)

// SchemaID names the event format; it changes when a field's meaning does.
const SchemaID = "https://github.com/hubgates/hub/shared/telemetry/event.schema.json#v1"

// Schema is the JSON Schema (draft 2020-12) every [Event] satisfies.
//
//go:embed event.schema.json
var Schema []byte

// Event is one gate run.
type Event struct {
	Schema     string           `json:"schema"`
	Gate       string           `json:"gate"`
	Version    string           `json:"version"`
	Mode       string           `json:"mode"`
	Verdict    string           `json:"verdict"`
	ExitCode   int              `json:"exitCode"`
	Started    time.Time        `json:"started"`
	DurationMS int64            `json:"durationMs"`
	Findings   FindingCounts    `json:"findings"`
	Counters   map[string]int64 `json:"counters"`
	Repository string           `json:"repository,omitempty"`
	RunID      string           `json:"runId,omitempty"`
	SHA        string           `json:"sha,omitempty"`
	Ref        string           `json:"ref,omitempty"`
}

// FindingCounts counts a run's findings in total and by severity name.
type FindingCounts struct {
	Total      int            `json:"total"`
	BySeverity map[string]int `json:"bySeverity"`
}

// Marshal renders e as one JSON line ending in a newline.
func Marshal(e Event) ([]byte, error) {
	if e.Schema == "" {
		e.Schema = SchemaID
	}
	if e.Counters == nil {
		e.Counters = map[string]int64{}
	}
	if e.Findings.BySeverity == nil {
		e.Findings.BySeverity = map[string]int{}
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("marshaling telemetry event of %s: %w", e.Gate, err)
	}
	return append(b, '\n'), nil
}

// Append adds e as one line to the NDJSON file name inside root, creating
// it. The line is written with a single append-mode write, so concurrent
// runs appending to one file do not interleave within a line; a symbolic
// link cannot lead the write outside root.
func Append(root *fsroot.Root, name string, e Event) error {
	line, err := Marshal(e)
	if err != nil {
		return err
	}
	f, err := root.Append(name, 0o644)
	if err != nil {
		return fmt.Errorf("appending telemetry to %q: %w", name, err)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("appending telemetry to %q: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("appending telemetry to %q: %w", name, err)
	}
	return nil
}
