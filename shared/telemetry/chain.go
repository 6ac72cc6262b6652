package telemetry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hubgates/hub/shared/fsroot"
)

// Genesis is the Prev of a stream's first event: the hash of nothing
// before it.
const Genesis = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// maxLine bounds one event line; a longer last line is not an event this
// package wrote, and the chain is not extended from it.
const maxLine = 1 << 20

// LineHash is the chain hash of one NDJSON line, without its newline:
// "sha256:<hex>" of its exact bytes, so any change to a line, even one
// that keeps its JSON meaning, changes the hash.
func LineHash(line []byte) string {
	sum := sha256.Sum256(line)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// ErrChainBroken is wrapped when the file's last line cannot be chained
// from: it is not an event of a chained stream.
var ErrChainBroken = errors.New("telemetry stream cannot be extended")

// Append adds e as one line to the NDJSON file name inside root, creating
// it, linked to the file's last line: e.Seq is one more than that line's,
// e.Prev is its [LineHash] ([Genesis] in an empty file). The file is
// locked while its last line is read and the new one written, so runs
// appending to one file take turns instead of forking the chain; a
// symbolic link cannot lead the write outside root.
func Append(root *fsroot.Root, name string, e Event) error {
	f, err := root.AppendRead(name, 0o644)
	if err != nil {
		return fmt.Errorf("appending telemetry to %q: %w", name, err)
	}
	if err := lock(f); err != nil {
		f.Close()
		return fmt.Errorf("locking telemetry file %q: %w", name, err)
	}
	err = appendLocked(f, e)
	unlock(f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("appending telemetry to %q: %w", name, err)
	}
	return nil
}

// appendLocked links e to f's last line and writes it, f being locked.
func appendLocked(f *os.File, e Event) error {
	last, complete, err := lastLine(f)
	if err != nil {
		return err
	}
	e.Seq, e.Prev = 1, Genesis
	if last != nil {
		var prev struct {
			Seq int64 `json:"seq"`
		}
		if err := json.Unmarshal(last, &prev); err != nil || prev.Seq < 1 {
			// An unchained or damaged last line: the new event still
			// links to its bytes, so verify names that line.
			prev.Seq = 0
		}
		e.Seq, e.Prev = prev.Seq+1, LineHash(last)
	}
	line, err := Marshal(e)
	if err != nil {
		return err
	}
	if last != nil && !complete {
		// A line cut short (a killed writer) is ended, so the new event
		// stays a line of its own and the cut one is reported by verify.
		line = append([]byte{'\n'}, line...)
	}
	_, err = f.Write(line)
	return err
}

// lastLine returns the file's last line without its newline (nil for an
// empty file) and whether it ended in a newline. It reads backwards from
// the end in small blocks until it meets the newline before that line:
// an append costs the length of one line, whatever the file's size.
func lastLine(f *os.File) ([]byte, bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	size := fi.Size()
	if size == 0 {
		return nil, true, nil
	}
	const block = 4096
	var tail []byte // the bytes read so far, from off to the end
	off := size
	for {
		n := min(off, block)
		off -= n
		buf := make([]byte, n, n+int64(len(tail)))
		if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return nil, false, err
		}
		tail = append(buf, tail...)
		body := tail
		if off+int64(len(tail)) == size && body[len(body)-1] == '\n' {
			body = body[:len(body)-1]
		}
		if i := bytes.LastIndexByte(body, '\n'); i >= 0 {
			return lineOf(tail[i+1:])
		}
		if off == 0 {
			return lineOf(tail)
		}
		if len(tail) > maxLine+1 {
			return nil, false, fmt.Errorf("%w: its last line is longer than %d bytes", ErrChainBroken, maxLine)
		}
	}
}

// lineOf splits the file's last line from its newline.
func lineOf(b []byte) ([]byte, bool, error) {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return b[:len(b)-1], true, nil
	}
	return b, false, nil
}
