package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/fsroot"
)

func TestWriteRoundTrip(t *testing.T) {
	ws := t.TempDir()
	root, err := fsroot.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	dir := filepath.Join(ws, "evidence")
	rec := Record{
		SchemaVersion: SchemaVersion, Gate: "workflow-audit", Version: "dev", Mode: "enforce",
		Verdict: "denied", ExitCode: 1, Inputs: map[string]string{"token": "***"},
		Findings: []finding.Finding{{Rule: "unpinned-uses", Severity: finding.High, Message: "m", Path: "a.yml", Line: 1, Fingerprint: "f"}},
		Read:     []Artifact{{Path: "a.yml", Digest: "sha256:00"}},
		Started:  time.Unix(100, 5), Finished: time.Unix(101, 0),
	}
	name, err := Write(root, "evidence", rec)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(ws, filepath.FromSlash(name))
	if filepath.Base(path) != "workflow-audit-100000000005.json" {
		t.Errorf("file name %q", filepath.Base(path))
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back Record
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Verdict != "denied" || len(back.Findings) != 1 || back.Findings[0].Severity != finding.High || back.Inputs["token"] != "***" {
		t.Errorf("round trip lost data: %+v", back)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the record", len(entries))
	}
}

func TestMarshalEmptySlices(t *testing.T) {
	b, err := Marshal(Record{Gate: "g"})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"findings", "read"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("%s = %v, want an empty array", k, m[k])
		}
	}
}

// A planted link cannot carry the record out of the root.
func TestWriteRefusesALinkOut(t *testing.T) {
	ws, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(ws, "evidence")); err != nil {
		t.Fatal(err)
	}
	root, err := fsroot.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if _, err := Write(root, "evidence", Record{Gate: "g"}); !errors.Is(err, fsroot.ErrEscapes) {
		t.Fatalf("Write through a link out = %v, want ErrEscapes", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("written outside: %v", entries)
	}
}

// Encode streams what Marshal renders, byte for byte.
func TestEncodeMatchesMarshal(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		rec := Record{Gate: "g", Inputs: map[string]string{"a": "b\n  \"findings\": [],\n"}, Started: time.Unix(1, 0)}
		for i := range n {
			rec.Findings = append(rec.Findings, finding.Finding{Rule: "r", Message: "m\n\"x\"", Path: "p", Line: i + 1, Fingerprint: "f",
				Suppression: &finding.Suppression{Kind: "external", Justification: "j", Expires: "2026-01-01"}})
		}
		want, err := Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := Encode(&got, rec); err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want) {
			t.Errorf("%d findings: Encode differs from Marshal:\n%s\n---\n%s", n, got.String(), want)
		}
	}
}
