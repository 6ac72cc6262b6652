package telemetry_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/telemetry"
)

func event(gate string) telemetry.Event {
	return telemetry.Event{Gate: gate, Version: "dev", Mode: "enforce", Verdict: "passed",
		Started: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), DurationMS: 5}
}

// stream appends n events to a fresh file and returns its lines, each
// with its newline.
func stream(t *testing.T, n int) [][]byte {
	t.Helper()
	dir := t.TempDir()
	root, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for i := range n {
		if err := telemetry.Append(root, "t.ndjson", event("gate-"+string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "t.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(b, []byte{'\n'})[:n]
}

func read(t *testing.T, lines [][]byte) *telemetry.Stream {
	t.Helper()
	s, err := telemetry.ReadStream(bytes.NewReader(bytes.Join(lines, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAppendChains(t *testing.T) {
	lines := stream(t, 4)
	s := read(t, lines)
	if p := s.Check(); p != nil {
		t.Fatalf("an untouched stream: %v", p)
	}
	if !bytes.Contains(lines[0], []byte(`"seq":1,"prev":"`+telemetry.Genesis+`"`)) {
		t.Errorf("first line does not start the chain: %s", lines[0])
	}
	want := telemetry.LineHash(bytes.TrimSuffix(lines[2], []byte("\n")))
	if !bytes.Contains(lines[3], []byte(`"seq":4,"prev":"`+want+`"`)) {
		t.Errorf("line 4 does not link to line 3 (%s): %s", want, lines[3])
	}
	if s.HeadAt(4) != telemetry.LineHash(bytes.TrimSuffix(lines[3], []byte("\n"))) {
		t.Error("head is not the last line's hash")
	}
}

// Concurrent appenders take turns: the chain does not fork.
func TestAppendConcurrent(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			root, err := fsroot.Open(dir)
			if err != nil {
				t.Error(err)
				return
			}
			defer root.Close()
			for range 5 {
				if err := telemetry.Append(root, "t.ndjson", event("g"+string(rune('a'+i)))); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	f, err := os.Open(filepath.Join(dir, "t.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := telemetry.ReadStream(f)
	if err != nil {
		t.Fatal(err)
	}
	if s.Count() != 40 {
		t.Fatalf("got %d lines, want 40", s.Count())
	}
	if p := s.Check(); p != nil {
		t.Fatalf("concurrent appends forked the chain: %v", p)
	}
}

// A line cut short by a killed writer is ended by the next append, and
// verify names it.
func TestAppendAfterCutLine(t *testing.T) {
	dir := t.TempDir()
	root, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := os.WriteFile(filepath.Join(dir, "t.ndjson"), []byte(`{"seq":1,"pr`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := telemetry.Append(root, "t.ndjson", event("a")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "t.ndjson"))
	s, _ := telemetry.ReadStream(bytes.NewReader(b))
	if s.Count() != 2 {
		t.Fatalf("got %d lines: %q", s.Count(), b)
	}
	p := s.Check()
	if p == nil || p.Line != 1 || p.Kind != telemetry.Malformed {
		t.Fatalf("got %v, want line 1 malformed", p)
	}
}

func with(lines [][]byte, f func([][]byte) [][]byte) [][]byte {
	cp := make([][]byte, len(lines))
	for i, l := range lines {
		cp[i] = bytes.Clone(l)
	}
	return f(cp)
}

// One case per kind of tampering: each names its first bad line.
func TestCheckNamesFirstBadLine(t *testing.T) {
	lines := stream(t, 5)
	s := read(t, lines)
	head, count := s.HeadAt(5), int64(5)
	cases := []struct {
		name   string
		tamper func([][]byte) [][]byte
		line   int
		kind   telemetry.Kind
	}{
		{"edited", func(l [][]byte) [][]byte {
			l[1] = bytes.Replace(l[1], []byte(`"passed"`), []byte(`"denied"`), 1)
			return l
		}, 2, telemetry.Edited},
		{"edited whitespace only", func(l [][]byte) [][]byte {
			l[2] = bytes.Replace(l[2], []byte(`{`), []byte(`{ `), 1)
			return l
		}, 3, telemetry.Edited},
		{"edited last sealed line", func(l [][]byte) [][]byte {
			l[4] = bytes.Replace(l[4], []byte(`"durationMs":5`), []byte(`"durationMs":6`), 1)
			return l
		}, 5, telemetry.Edited},
		{"inserted", func(l [][]byte) [][]byte {
			// A forged event that links correctly to line 2 and claims seq 3.
			forged := bytes.Replace(l[2], []byte(`"gate-c"`), []byte(`"forged"`), 1)
			return append(l[:2], append([][]byte{forged}, l[2:]...)...)
		}, 3, telemetry.Inserted},
		{"deleted", func(l [][]byte) [][]byte { return append(l[:2], l[3:]...) }, 3, telemetry.Deleted},
		{"reordered", func(l [][]byte) [][]byte { l[1], l[2] = l[2], l[1]; return l }, 2, telemetry.Reordered},
		{"reordered last to first", func(l [][]byte) [][]byte {
			return append([][]byte{l[4]}, l[:4]...)
		}, 1, telemetry.Reordered},
		{"truncated lines", func(l [][]byte) [][]byte { return l[:3] }, 4, telemetry.Truncated},
		{"truncated mid-line", func(l [][]byte) [][]byte {
			l[4] = l[4][:len(l[4])/2]
			return l
		}, 5, telemetry.Truncated},
		{"not an event", func(l [][]byte) [][]byte {
			l[0] = []byte("{\"gate\":\"x\"}\n")
			return l
		}, 1, telemetry.Malformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := read(t, with(lines, c.tamper))
			p := s.Check()
			if p == nil {
				p = s.CheckSealed(count, head)
			}
			if p == nil || p.Line != c.line || p.Kind != c.kind {
				t.Fatalf("got %v, want line %d %s", p, c.line, c.kind)
			}
		})
	}
	if p := read(t, lines).CheckSealed(count, head); p != nil {
		t.Errorf("untouched sealed stream: %v", p)
	}
	more := append(with(lines, func(l [][]byte) [][]byte { return l }), stream(t, 6)[5])
	if p := read(t, more).CheckSealed(count, head); p == nil || p.Kind != telemetry.Unsealed || p.Line != 6 {
		t.Errorf("an unsealed tail: %v", p)
	}
}

func TestCheckpointStatementRoundTrip(t *testing.T) {
	c := telemetry.Checkpoint{Stream: "t.ndjson", Count: 3, Head: "sha256:" + strings.Repeat("ab", 32),
		SealedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Previous: telemetry.Genesis}
	b, err := c.Statement()
	if err != nil {
		t.Fatal(err)
	}
	got, err := telemetry.ParseStatement(b)
	if err != nil || got != c {
		t.Fatalf("got %+v, %v", got, err)
	}
	forged := bytes.Replace(b, []byte(`"digest":{"sha256":"abab`), []byte(`"digest":{"sha256":"cdab`), 1)
	if _, err := telemetry.ParseStatement(forged); err == nil {
		t.Error("a subject other than the head was accepted")
	}
	for _, bad := range []telemetry.Checkpoint{{Stream: "s", Count: 0, Head: c.Head, SealedAt: c.SealedAt}, {Stream: "s", Count: 1, Head: "x", SealedAt: c.SealedAt}} {
		if _, err := bad.Statement(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// The last line is found by reading backwards in blocks: one longer than
// a block, after many others, is linked whole.
func TestAppendAfterLongLine(t *testing.T) {
	dir := t.TempDir()
	root, err := fsroot.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	long := `{"seq":7,"pad":"` + strings.Repeat("x", 10000) + `"}`
	if err := os.WriteFile(filepath.Join(dir, "t.ndjson"), []byte(strings.Repeat("{}\n", 5000)+long+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := telemetry.Append(root, "t.ndjson", event("a")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "t.ndjson"))
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	want := `"seq":8,"prev":"` + telemetry.LineHash([]byte(long)) + `"`
	if !bytes.Contains(lines[len(lines)-1], []byte(want)) {
		t.Fatalf("last line %s, want it to contain %s", lines[len(lines)-1], want)
	}
}
