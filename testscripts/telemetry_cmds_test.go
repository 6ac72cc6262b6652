package testscripts

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/telemetry"
)

// cmdTelemetryEvents appends N chained events to FILE, as N gate runs
// would: telemetry-events FILE N.
func cmdTelemetryEvents(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: telemetry-events FILE N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	ts.Check(os.MkdirAll(filepath.Dir(ts.MkAbs(args[0])), 0o755))
	root, err := fsroot.Open(ts.Getenv("WORK"))
	ts.Check(err)
	defer root.Close()
	for i := range n {
		ts.Check(telemetry.Append(root, args[0], telemetry.Event{Gate: "sbom-gate", Version: "dev", Mode: "enforce",
			Verdict: "passed", Started: time.Date(2026, 12, 1, 12, 0, i, 0, time.UTC), DurationMS: int64(10 + i),
			Repository: "hubgates/fixture", RunID: "1234"}))
	}
}

// cmdTelemetryTamper changes a stream as an attacker would:
//
//	telemetry-tamper edit FILE LINE       verdict passed -> denied on LINE
//	telemetry-tamper insert FILE LINE     a forged copy of LINE before it, same seq and link
//	telemetry-tamper delete FILE LINE
//	telemetry-tamper swap FILE LINE       LINE and the one after it
//	telemetry-tamper truncate FILE LINES  keep the first LINES lines
//	telemetry-tamper cut FILE             the last line loses its second half
func cmdTelemetryTamper(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || (args[0] != "cut" && len(args) != 3) {
		ts.Fatalf("usage: telemetry-tamper edit|insert|delete|swap|truncate|cut FILE [LINE]")
	}
	path := ts.MkAbs(args[1])
	b, err := os.ReadFile(path)
	ts.Check(err)
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	n := 0
	if len(args) == 3 {
		n, err = strconv.Atoi(args[2])
		ts.Check(err)
		if n < 1 || n > len(lines) {
			ts.Fatalf("line %d: the stream has %d lines", n, len(lines))
		}
	}
	i := n - 1
	switch args[0] {
	case "edit":
		edited := bytes.Replace(lines[i], []byte(`"verdict":"passed"`), []byte(`"verdict":"denied"`), 1)
		if bytes.Equal(edited, lines[i]) {
			ts.Fatalf("line %d has no passed verdict to edit", n)
		}
		lines[i] = edited
	case "insert":
		forged := bytes.Replace(lines[i], []byte(`"gate":"sbom-gate"`), []byte(`"gate":"forged"`), 1)
		lines = append(lines[:i], append([][]byte{forged}, lines[i:]...)...)
	case "delete":
		lines = append(lines[:i], lines[i+1:]...)
	case "swap":
		if n == len(lines) {
			ts.Fatalf("no line after %d", n)
		}
		lines[i], lines[i+1] = lines[i+1], lines[i]
	case "truncate":
		lines = lines[:n]
	case "cut":
		last := lines[len(lines)-1]
		lines[len(lines)-1] = last[:len(last)/2]
	default:
		ts.Fatalf("unknown tampering %q", args[0])
	}
	ts.Check(os.WriteFile(path, bytes.Join(lines, nil), 0o644))
}

// cmdTelemetryForgeCount rewrites the count in a checkpoint's signed
// statement, leaving the signature: telemetry-forge-count FILE N.
func cmdTelemetryForgeCount(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: telemetry-forge-count CHECKPOINT N")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	var bun map[string]any
	ts.Check(json.Unmarshal(b, &bun))
	env := bun["dsseEnvelope"].(map[string]any)
	payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	ts.Check(err)
	var st map[string]any
	ts.Check(json.Unmarshal(payload, &st))
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	st["predicate"].(map[string]any)["count"] = n
	payload, err = json.Marshal(st)
	ts.Check(err)
	env["payload"] = base64.StdEncoding.EncodeToString(payload)
	b, err = json.Marshal(bun)
	ts.Check(err)
	ts.Check(os.WriteFile(path, b, 0o644))
}
