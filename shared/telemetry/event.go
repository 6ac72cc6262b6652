package telemetry

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"time"
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
	// Seq is the event's place in its stream, from 1: the line it is on.
	// [Append] sets it.
	Seq int64 `json:"seq,omitempty"`
	// Prev is the hash of the stream's previous line ([LineHash]), or
	// [Genesis] for the first: the link of the stream's hash chain.
	// [Append] sets it.
	Prev string `json:"prev,omitempty"`
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
