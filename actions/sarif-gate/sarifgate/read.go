package sarifgate

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/fsroot"
)

// Version is the only SARIF version code scanning accepts, and so the only
// one the gate reads and writes.
const Version = "2.1.0"

// Log is one SARIF file as the gate read it.
type Log struct {
	// Version is the log's "version" as written.
	Version string
	// Runs are the log's runs in order.
	Runs []*Run
	// Digest is the file's "sha256:<hex>" digest and Size its length.
	Digest string
	Size   int64
}

// Results returns how many results the log's runs hold.
func (l *Log) Results() int {
	n := 0
	for _, r := range l.Runs {
		n += r.results.len()
	}
	return n
}

// Run is one run of a log: the tool, its results and what is needed to
// resolve their references.
type Run struct {
	tool       tool
	results    *store // nil when the run has no "results"
	artifacts  []artifact
	bases      map[string]artifactLocation
	category   string
	columnKind string
}

// Tool returns the run's tool.driver.name.
func (r *Run) Tool() string { return r.tool.Driver.Name }

// ReadFile reads the SARIF 2.1.0 log at path, refusing files larger than
// maxBytes (0 means no cap). It streams the file through a JSON decoder:
// memory grows with the results kept, never with a second copy of the
// file. Errors wrap one of ErrEmpty, ErrNotJSON, ErrNotSARIF, ErrVersion,
// ErrMalformed or ErrTooLarge for a file that is not usable SARIF, with the
// position of the problem; an I/O error is returned as is, and a panic
// inside the parser comes back as ErrCrash (never as bad input).
func ReadFile(ctx context.Context, path string, maxBytes int64) (log *Log, err error) {
	return readFile(ctx, func() (*os.File, error) { return os.Open(path) }, maxBytes)
}

// ReadFileIn is ReadFile for the file name inside root: every open goes
// through the root, so a link swapped in after the file was found still
// cannot lead the read outside (ErrOutsideWorkspace), and a device or
// pipe is refused before a read could block on it.
func ReadFileIn(ctx context.Context, root *fsroot.Root, name string, maxBytes int64) (*Log, error) {
	return readFile(ctx, func() (*os.File, error) {
		f, _, err := root.OpenRegular(name)
		switch {
		case errors.Is(err, fsroot.ErrEscapes):
			return nil, ErrOutsideWorkspace
		case errors.Is(err, fsroot.ErrNotRegular):
			return nil, fmt.Errorf("%w: not a regular file", ErrMalformed)
		}
		return f, err
	}, maxBytes)
}

// readFile reads the log that open opens; it opens it again, on error
// paths only, to say where the problem is.
func readFile(ctx context.Context, open func() (*os.File, error), maxBytes int64) (log *Log, err error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: not a regular file", ErrMalformed)
	}
	if maxBytes > 0 && st.Size() > maxBytes {
		return nil, fmt.Errorf("%w: %s, more than the cap of %s", ErrTooLarge, size(st.Size()), size(maxBytes))
	}
	log, err = Read(ctx, f, maxBytes)
	if errors.Is(err, ErrMalformed) {
		// SARIF 1.0 or 2.2 fails on shape before its version is checked;
		// the version is the better message.
		if v, ok := peekVersion(open); ok && v != Version {
			return nil, fmt.Errorf("%w: expected %q, got %q", ErrVersion, Version, v)
		}
	}
	var pe *posError
	if errors.As(err, &pe) {
		if pe.syntax {
			if off, ok := syntaxOffset(open); ok {
				pe.offset = off
			}
		}
		line, col := position(open, pe.offset)
		err = fmt.Errorf("%w at line %d, column %d", pe.err, line, col)
	}
	return log, err
}

// syntaxOffset finds where a file stops being JSON: the streaming
// decoder's token reader reports syntax errors near, not at, the bad byte,
// so the file is decoded once more (on this error path only) by the
// decoder that does.
func syntaxOffset(open func() (*os.File, error)) (int64, bool) {
	f, err := open()
	if err != nil {
		return 0, false
	}
	defer f.Close()
	br := bufio.NewReader(f)
	skipped := int64(0)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
		skipped = 3
	}
	var v json.RawMessage
	var se *json.SyntaxError
	if err := json.NewDecoder(br).Decode(&v); errors.As(err, &se) && se.Offset > 0 {
		return skipped + se.Offset - 1, true // Offset counts the bad byte
	}
	return 0, false
}

// peekVersion reads only the top-level "version" of a JSON file.
func peekVersion(open func() (*os.File, error)) (string, bool) {
	f, err := open()
	if err != nil {
		return "", false
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	var top struct {
		Version json.RawMessage `json:"version"`
	}
	if json.NewDecoder(br).Decode(&top) != nil || top.Version == nil {
		return "", false
	}
	var v string
	if json.Unmarshal(top.Version, &v) != nil {
		v = string(top.Version)
	}
	return v, true
}

// Read reads a SARIF 2.1.0 log from r, like ReadFile; maxBytes caps what
// is read (0 means no cap). Positions in errors are byte offsets.
func Read(ctx context.Context, r io.Reader, maxBytes int64) (log *Log, err error) {
	defer func() {
		if p := recover(); p != nil {
			log, err = nil, fmt.Errorf("%w: %v\n%s", ErrCrash, p, debug.Stack())
		}
	}()
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(r, h), max: maxBytes}
	br := bufio.NewReaderSize(cr, 256<<10)
	// A UTF-8 byte order mark is not JSON, but Windows tools write one and
	// code scanning reads past it.
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	log, err = decodeLog(ctx, json.NewDecoder(br))
	if cr.over {
		return nil, fmt.Errorf("%w: more than the cap of %s", ErrTooLarge, size(maxBytes))
	}
	if err != nil {
		return nil, err
	}
	log.Digest = sum(h)
	log.Size = cr.n
	return log, nil
}

// countingReader counts bytes and stops at max+1, so a file that grows
// while it is read is still refused.
type countingReader struct {
	r    io.Reader
	n    int64
	max  int64
	over bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.max > 0 && c.n > c.max {
		c.over = true
		return 0, io.EOF
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func sum(h hash.Hash) string {
	return digest.Digest{Algorithm: digest.SHA256, Hex: hex.EncodeToString(h.Sum(nil))}.String()
}

// posError is a problem at a byte offset, turned into line and column by
// ReadFile, which can read the file again.
type posError struct {
	offset int64
	err    error
	syntax bool // a JSON syntax error, whose offset ReadFile refines
}

func (e *posError) Error() string { return fmt.Sprintf("%v at byte %d", e.err, e.offset) }
func (e *posError) Unwrap() error { return e.err }

// decoder wraps json.Decoder with errors that say what is wrong where.
type decoder struct {
	*json.Decoder
}

// fail turns a decoding error into a positioned error wrapping the right
// sentinel: syntax errors and truncation are ErrNotJSON, type mismatches
// are ErrMalformed (what was expected, where).
func (d decoder) fail(err error, what string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &posError{offset: se.Offset, err: fmt.Errorf("%w: %s", ErrNotJSON, se.Error()), syntax: true}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &posError{offset: d.InputOffset(), err: fmt.Errorf("%w: the file ends in the middle of %s (truncated?)", ErrNotJSON, what)}
	case errors.As(err, &te):
		field := what
		if te.Field != "" {
			field += " " + te.Field
		}
		return &posError{offset: te.Offset, err: fmt.Errorf("%w: %s is a JSON %s, expected %s", ErrMalformed, field, te.Value, goType(te.Type.String()))}
	}
	if strings.Contains(err.Error(), "exceeded max depth") {
		return &posError{offset: d.InputOffset(), err: fmt.Errorf("%w: %v", ErrNotJSON, err)}
	}
	return err
}

// goType names a Go type the way a SARIF author thinks of it.
func goType(t string) string {
	switch {
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "*int"):
		return "an integer"
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case t == "bool" || t == "*bool":
		return "true or false"
	case strings.HasPrefix(t, "float") || strings.HasPrefix(t, "*float"):
		return "a number"
	}
	return "an object"
}

// delim reads the next token and checks it is the delimiter want.
func (d decoder) delim(want json.Delim, what string) error {
	off := d.InputOffset()
	tok, err := d.Token()
	if err != nil {
		return d.fail(err, what)
	}
	if got, ok := tok.(json.Delim); !ok || got != want {
		kind := "an array"
		if want == '{' {
			kind = "an object"
		}
		return &posError{offset: off, err: fmt.Errorf("%w: %s is %s, expected %s", ErrMalformed, what, tokenKind(tok), kind)}
	}
	return nil
}

// key reads an object key.
func (d decoder) key(what string) (string, error) {
	tok, err := d.Token()
	if err != nil {
		return "", d.fail(err, what)
	}
	k, _ := tok.(string)
	return k, nil
}

// skip reads and discards one value.
func (d decoder) skip(what string) error {
	var v json.RawMessage
	if err := d.Decode(&v); err != nil {
		return d.fail(err, what)
	}
	return nil
}

func tokenKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "true or false"
	case nil:
		return "null"
	}
	return "something else"
}

// decodeLog reads the top-level object. "version" may come after "runs"
// (serde writes keys in alphabetical order), so the version is checked once
// the whole object is read.
func decodeLog(ctx context.Context, dec *json.Decoder) (*Log, error) {
	d := decoder{dec}
	tok, err := d.Token()
	if errors.Is(err, io.EOF) {
		return nil, ErrEmpty
	}
	if err != nil {
		return nil, d.fail(err, "the log")
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return nil, fmt.Errorf("%w: the file holds %s, not an object with \"version\" and \"runs\"", ErrNotSARIF, tokenKind(tok))
	}
	log := &Log{}
	sawVersion, sawRuns := false, false
	for d.More() {
		k, err := d.key("the log")
		if err != nil {
			return nil, err
		}
		switch k {
		case "version":
			sawVersion = true
			var v json.RawMessage
			if err := d.Decode(&v); err != nil {
				return nil, d.fail(err, "version")
			}
			if json.Unmarshal(v, &log.Version) != nil {
				log.Version = string(v)
			}
		case "runs":
			sawRuns = true
			if log.Runs, err = d.runs(ctx); err != nil {
				return nil, err
			}
		default:
			if err := d.skip(k); err != nil {
				return nil, err
			}
		}
	}
	if err := d.delim('}', "the log"); err != nil {
		return nil, err
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, d.fail(err, "the end of the file")
		}
		return nil, &posError{offset: d.InputOffset(), err: fmt.Errorf("%w: more JSON after the log", ErrNotJSON)}
	}
	switch {
	case !sawRuns:
		return nil, fmt.Errorf("%w: a JSON object without \"runs\"", ErrNotSARIF)
	case !sawVersion:
		return nil, fmt.Errorf("%w: no \"version\" (expected %q)", ErrVersion, Version)
	case log.Version != Version:
		return nil, fmt.Errorf("%w: expected %q, got %q", ErrVersion, Version, log.Version)
	}
	return log, nil
}

func (d decoder) runs(ctx context.Context) ([]*Run, error) {
	if err := d.delim('[', "runs"); err != nil {
		return nil, err
	}
	var runs []*Run
	for d.More() {
		r, err := d.run(ctx, len(runs)+1)
		if err != nil {
			return nil, err
		}
		runs = append(runs, r)
	}
	return runs, d.delim(']', "runs")
}

// run reads one run. Its results are decoded one at a time straight into
// the reduced model; results may come before the tool (alphabetical key
// order), so nothing is resolved until the run has been read.
func (d decoder) run(ctx context.Context, n int) (*Run, error) {
	what := fmt.Sprintf("run %d", n)
	if err := d.delim('{', what); err != nil {
		return nil, err
	}
	r := &Run{}
	sawTool := false
	for d.More() {
		k, err := d.key(what)
		if err != nil {
			return nil, err
		}
		switch k {
		case "tool":
			sawTool = true
			if err := d.Decode(&r.tool); err != nil {
				return nil, d.fail(err, what+" tool")
			}
		case "results":
			if r.results, err = d.results(ctx, what); err != nil {
				return nil, err
			}
		case "artifacts":
			if err := d.Decode(&r.artifacts); err != nil {
				return nil, d.fail(err, what+" artifacts")
			}
		case "originalUriBaseIds":
			if err := d.Decode(&r.bases); err != nil {
				return nil, d.fail(err, what+" originalUriBaseIds")
			}
		case "automationDetails":
			var ad automationDetails
			if err := d.Decode(&ad); err != nil {
				return nil, d.fail(err, what+" automationDetails")
			}
			r.category = ad.ID
		case "columnKind":
			if err := d.Decode(&r.columnKind); err != nil {
				return nil, d.fail(err, what+" columnKind")
			}
		default:
			if err := d.skip(what + " " + k); err != nil {
				return nil, err
			}
		}
	}
	if err := d.delim('}', what); err != nil {
		return nil, err
	}
	switch {
	case !sawTool:
		return nil, fmt.Errorf("%w: %s has no tool", ErrMalformed, what)
	case strings.TrimSpace(r.tool.Driver.Name) == "":
		return nil, fmt.Errorf("%w: %s has no tool.driver.name", ErrMalformed, what)
	}
	return r, nil
}

// results reads a run's results array into a store, one result at a
// time, so that no more than one decoded result is held; null (which some
// tools write for "no results") reads as none.
func (d decoder) results(ctx context.Context, what string) (*store, error) {
	off := d.InputOffset()
	tok, err := d.Token()
	if err != nil {
		return nil, d.fail(err, what+" results")
	}
	out := &store{}
	if tok == nil {
		return out, nil
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		return nil, &posError{offset: off, err: fmt.Errorf("%w: %s results is %s, expected an array", ErrMalformed, what, tokenKind(tok))}
	}
	for d.More() {
		if out.len()%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		res := new(result)
		if err := d.Decode(res); err != nil {
			return nil, d.fail(err, fmt.Sprintf("%s result %d", what, out.len()+1))
		}
		if err := out.add(res); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCrash, err)
		}
	}
	if err := out.finish(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCrash, err)
	}
	return out, d.delim(']', what+" results")
}

// position turns a byte offset in the file open opens into a 1-based line
// and column, reading the file again (only on error).
func position(open func() (*os.File, error), offset int64) (line, col int) {
	line, col = 1, 1
	f, err := open()
	if err != nil {
		return line, col
	}
	defer f.Close()
	br := bufio.NewReader(io.LimitReader(f, offset))
	for {
		b, err := br.ReadByte()
		if err != nil {
			return line, col
		}
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
}

// size renders a byte count in MiB (or bytes when small).
func size(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
