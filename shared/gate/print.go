package gate

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"strings"
)

// printer is the one way a run writes to its log. Every line it prints is
// untrusted text passed through [LogText]; the gate's own workflow
// commands (masks, annotations) go through [printer.commands], and only
// there.
//
// In GitHub Actions, untrusted lines on standard output are also fenced
// with the runner's own mechanism: "::stop-commands::<token>" before them
// and "::<token>::" before the next command of the gate's, with a token
// drawn at random for the run, so that the runner would ignore a command
// even if one got past LogText.
type printer struct {
	out, err io.Writer
	redact   func(string) string // secrets out, before escaping hides them
	fence    bool                // fence untrusted lines (in GitHub Actions)
	token    string
	fenced   bool
}

func newPrinter(out, err io.Writer, redact func(string) string, inActions bool) *printer {
	p := &printer{out: out, err: err, redact: redact, fence: inActions}
	if inActions {
		var b [16]byte
		if _, e := rand.Read(b[:]); e != nil {
			// Without a secret token the fence could be lifted by the
			// text it fences; LogText alone keeps the lines inert.
			p.fence = false
		}
		p.token = "hub-" + hex.EncodeToString(b[:])
	}
	return p
}

// Line prints one line of untrusted text on standard output.
func (p *printer) Line(s string) {
	if p.fence && !p.fenced {
		io.WriteString(p.out, "::stop-commands::"+p.token+"\n")
		p.fenced = true
	}
	io.WriteString(p.out, LogText(p.redact(s))+"\n")
}

// Lines prints each line of s with Line.
func (p *printer) Lines(s string) {
	for _, line := range splitLines(s) {
		p.Line(line)
	}
}

// Error prints one line of untrusted text on standard error. Standard
// error is not fenced: the runner reads the two streams apart, so a fence
// on one cannot order lines on the other; LogText is what keeps the line
// inert.
func (p *printer) Error(s string) {
	io.WriteString(p.err, LogText(p.redact(s))+"\n")
}

// resume ends a fence, so that the next command counts.
func (p *printer) resume() {
	if p.fenced {
		io.WriteString(p.out, "::"+p.token+"::\n")
		p.fenced = false
	}
}

// commands returns the writer for the gate's own workflow commands, which
// ends any fence before each write. It does not redact: add-mask carries
// the secret itself, and annotations are redacted where they are built.
func (p *printer) commands() io.Writer { return commandWriter{p} }

// Close ends any fence, so that later steps' commands count.
func (p *printer) Close() { p.resume() }

type commandWriter struct{ p *printer }

func (c commandWriter) Write(b []byte) (int, error) {
	c.p.resume()
	return c.p.out.Write(b)
}

// splitLines splits text the way the runner does: at LF, CR and CRLF.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.FieldsFunc(strings.ReplaceAll(s, "\r", "\n"), func(r rune) bool { return r == '\n' })
}
