package telemetry

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Kind names a way a stream was tampered with.
type Kind string

// The kinds of problem [Stream.Check] and [Stream.CheckSealed] report.
const (
	// Edited: a line's bytes changed after it was written.
	Edited Kind = "edited"
	// Inserted: a line was added between two chained lines.
	Inserted Kind = "inserted"
	// Deleted: lines are missing inside the stream.
	Deleted Kind = "deleted"
	// Reordered: lines are all there but out of order.
	Reordered Kind = "reordered"
	// Truncated: lines are missing at the end, or the last is cut short.
	Truncated Kind = "truncated"
	// Malformed: a line is not a chained event.
	Malformed Kind = "malformed"
	// Unsealed: lines follow the sealed head; they are not covered by the
	// checkpoint (not tampering by itself: events appended after a seal).
	Unsealed Kind = "unsealed"
)

// Problem is the first bad line of a stream and why.
type Problem struct {
	Line    int    `json:"line"`
	Kind    Kind   `json:"kind"`
	Message string `json:"message"`
}

func (p *Problem) Error() string { return fmt.Sprintf("line %d: %s: %s", p.Line, p.Kind, p.Message) }

// line is what the chain needs of one line, 80 bytes, so a long stream
// is checked without holding its text.
type line struct {
	hash     [sha256.Size]byte
	prev     [sha256.Size]byte
	seq      int64 // 0 when the line is not a chained event
	complete bool  // ended in a newline
}

// Stream is an NDJSON telemetry stream as read, line by line.
type Stream struct {
	lines []line
}

// ErrLineTooLong is returned by [ReadStream] for a line longer than any
// event.
var ErrLineTooLong = errors.New("telemetry line too long")

// ReadStream reads a stream to its end. Only I/O errors and a line over
// 1 MiB are errors; what is wrong with the lines is for [Stream.Check].
func ReadStream(r io.Reader) (*Stream, error) {
	br := bufio.NewReaderSize(r, 64*1024)
	s := &Stream{}
	for {
		raw, err := readLine(br)
		if len(raw) > 0 {
			l := line{complete: raw[len(raw)-1] == '\n'}
			raw = bytes.TrimSuffix(raw, []byte{'\n'})
			l.hash = sha256.Sum256(raw)
			var ev struct {
				Seq  int64  `json:"seq"`
				Prev string `json:"prev"`
			}
			if json.Unmarshal(raw, &ev) == nil && ev.Seq > 0 {
				if p, ok := parseHash(ev.Prev); ok {
					l.seq, l.prev = ev.Seq, p
				}
			}
			s.lines = append(s.lines, l)
		}
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > maxLine+1 {
			return nil, fmt.Errorf("%w: over %d bytes", ErrLineTooLong, maxLine)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return out, err
		}
	}
}

// Count is the number of lines.
func (s *Stream) Count() int { return len(s.lines) }

// HeadAt is the hash of line n (1-based), the head of the chain's first n
// lines; [Genesis] for n = 0.
func (s *Stream) HeadAt(n int) string { return hashString(s.headAt(n)) }

func (s *Stream) headAt(n int) [sha256.Size]byte {
	if n == 0 {
		return [sha256.Size]byte{}
	}
	return s.lines[n-1].hash
}

// parseHash reads "sha256:<64 hex>".
func parseHash(h string) ([sha256.Size]byte, bool) {
	var out [sha256.Size]byte
	rest, ok := strings.CutPrefix(h, "sha256:")
	if !ok || len(rest) != 2*sha256.Size {
		return out, false
	}
	if _, err := hex.Decode(out[:], []byte(rest)); err != nil {
		return out, false
	}
	return out, true
}

func hashString(h [sha256.Size]byte) string { return "sha256:" + hex.EncodeToString(h[:]) }

// Check walks the chain and returns its first bad line, or nil when every
// line is a chained event linked to the one before it. The kind is
// inferred from the sequence numbers and links around the break: which
// line an attacker touched is named, not only where the chain stops.
func (s *Stream) Check() *Problem {
	for i := 1; i <= len(s.lines); i++ {
		l := s.lines[i-1]
		if !l.complete {
			return &Problem{i, Truncated, "the line is cut short (no newline at its end)"}
		}
		if l.seq == 0 {
			return &Problem{i, Malformed, "not a chained telemetry event (no seq and prev)"}
		}
		want := s.headAt(i - 1)
		switch {
		case l.seq == int64(i) && l.prev == want:
			continue
		case l.seq == int64(i) && i == 1:
			return &Problem{1, Edited, fmt.Sprintf("the first event links to %s, not to the start of a stream", hashString(l.prev))}
		case l.seq == int64(i):
			return &Problem{i - 1, Edited, fmt.Sprintf("the line changed after it was written: its hash is %s, the next event records %s", hashString(want), hashString(l.prev))}
		case l.seq < int64(i) && i >= 2 && l.prev == s.headAt(i-2):
			return &Problem{i - 1, Inserted, fmt.Sprintf("the line is not part of the chain: the next line, event %d, links past it to line %d", l.seq, i-2)}
		case s.seqLater(i, int64(i)):
			return &Problem{i, Reordered, fmt.Sprintf("event %d is here, event %d comes later in the file", l.seq, i)}
		case l.seq > int64(i):
			return &Problem{i, Deleted, fmt.Sprintf("events %d to %d are missing before this line (it is event %d)", i, l.seq-1, l.seq)}
		case s.seqEarlier(i, l.seq):
			return &Problem{i, Reordered, fmt.Sprintf("event %d is here, after event %d", l.seq, s.lines[i-2].seq)}
		default:
			return &Problem{i, Edited, fmt.Sprintf("the line claims to be event %d and links to %s", l.seq, hashString(l.prev))}
		}
	}
	return nil
}

// seqLater reports whether a line after line i carries seq.
func (s *Stream) seqLater(i int, seq int64) bool {
	return slices.ContainsFunc(s.lines[i:], func(l line) bool { return l.seq == seq })
}

// seqEarlier reports whether seq is out of place: a line other than line
// i that should follow it comes before it.
func (s *Stream) seqEarlier(i int, seq int64) bool {
	return slices.ContainsFunc(s.lines[:i-1], func(l line) bool { return l.seq > seq })
}

// CheckSealed checks the stream against a checkpoint's count and head,
// after [Stream.Check] found the chain whole: fewer lines than sealed is
// truncation; the sealed line's hash differing from the head is an edit
// of it (the last sealed line has no successor whose link would tell);
// more lines than sealed is an unsealed tail.
func (s *Stream) CheckSealed(count int64, head string) *Problem {
	n := int64(len(s.lines))
	switch {
	case n < count:
		return &Problem{int(n) + 1, Truncated, fmt.Sprintf("the checkpoint seals %d events, the file holds %d", count, n)}
	case s.HeadAt(int(count)) != head:
		return &Problem{int(count), Edited, fmt.Sprintf("the sealed head is %s, the line hashes to %s", head, s.HeadAt(int(count)))}
	case n > count:
		return &Problem{int(count) + 1, Unsealed, fmt.Sprintf("%d events follow the sealed head; no checkpoint covers them", n-count)}
	}
	return nil
}
