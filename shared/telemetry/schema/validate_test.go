package schema_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/telemetry"
	"github.com/hubgates/hub/shared/telemetry/schema"
)

func validEvent() telemetry.Event {
	return telemetry.Event{
		Gate: "workflow-audit", Version: "dev", Mode: "enforce", Verdict: "denied", ExitCode: 1,
		Started: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), DurationMS: 12,
		Findings:   telemetry.FindingCounts{Total: 2, BySeverity: map[string]int{"high": 2}},
		Counters:   map[string]int64{"files": 3},
		Repository: "hubgates/hub", RunID: "42", SHA: strings.Repeat("a", 40), Ref: "refs/heads/main",
	}
}

func TestAppendedEventsMatchSchema(t *testing.T) {
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "t.ndjson")
	root, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for i := 0; i < 3; i++ {
		if err := telemetry.Append(root, "t.ndjson", validEvent()); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	n, err := v.ValidateNDJSON(bytes.NewReader(b))
	if err != nil || n != 3 {
		t.Fatalf("validated %d events: %v", n, err)
	}
}

// The schema must be able to say no, or the suite's validation proves nothing.
func TestSchemaRejectsBadEvents(t *testing.T) {
	v, err := schema.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(*telemetry.Event){
		"unknown verdict":          func(e *telemetry.Event) { e.Verdict = "maybe" },
		"exit code 7":              func(e *telemetry.Event) { e.ExitCode = 7 },
		"passed with exit 1":       func(e *telemetry.Event) { e.Verdict, e.ExitCode = "passed", 1 },
		"warn deny exiting 1":      func(e *telemetry.Event) { e.Mode = "warn" },
		"bad gate name":            func(e *telemetry.Event) { e.Gate = "Workflow Audit" },
		"negative counter":         func(e *telemetry.Event) { e.Counters["files"] = -1 },
		"unknown severity":         func(e *telemetry.Event) { e.Findings.BySeverity["severe"] = 1 },
		"short sha":                func(e *telemetry.Event) { e.SHA = "abc" },
		"schema of another format": func(e *telemetry.Event) { e.Schema = "v0" },
	}
	for name, mutate := range cases {
		e := validEvent()
		mutate(&e)
		line, err := telemetry.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.ValidateNDJSON(bytes.NewReader(line)); err == nil {
			t.Errorf("%s: schema accepted %s", name, line)
		}
	}
	if _, err := v.ValidateNDJSON(strings.NewReader("{not json\n")); err == nil {
		t.Error("a line that is not JSON was accepted")
	}
	if _, err := v.ValidateNDJSON(strings.NewReader(`{"gate":"x","extra":1}` + "\n")); err == nil {
		t.Error("an event with an unknown field was accepted")
	}
}
