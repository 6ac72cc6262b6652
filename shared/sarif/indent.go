package sarif

import (
	"bytes"
	"io"
)

// indentWriter indents compact JSON written to it by two spaces and passes
// the result to w, byte for byte what json.Indent(dst, src, "", "  ") gives
// for the compact output of encoding/json. It keeps its state between
// writes, so a document may arrive in any pieces. It exists because
// json.Indent runs its full syntax scanner over every byte, and because
// indenting a large report in memory doubled the fresh memory a gate
// touched to write it; the input is trusted to be valid compact JSON.
type indentWriter struct {
	w     io.Writer
	buf   []byte // the indented output of one Write, reused
	depth int
	// open is set just after '{' or '[': the newline waits for the next
	// byte, so an empty object or array stays "{}" or "[]".
	open bool
	// inString is set inside a string literal, escaped just after a
	// backslash in one.
	inString, escaped bool
	margin            []byte // a newline and the deepest indentation so far
}

// chunk bounds the output a Write buffers before passing it on.
const chunk = 64 << 10

func newIndentWriter(w io.Writer) *indentWriter {
	return &indentWriter{w: w, margin: []byte("\n                                ")}
}

func (iw *indentWriter) Write(p []byte) (int, error) {
	for i := 0; i < len(p); {
		if iw.inString {
			i = iw.copyString(p, i)
		} else {
			i = iw.structural(p, i)
		}
		if len(iw.buf) >= chunk {
			if err := iw.flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := iw.flush(); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (iw *indentWriter) flush() error {
	_, err := iw.w.Write(iw.buf)
	iw.buf = iw.buf[:0]
	return err
}

func (iw *indentWriter) newline() {
	for len(iw.margin) < 1+2*iw.depth {
		iw.margin = append(iw.margin, "                                "...)
	}
	iw.buf = append(iw.buf, iw.margin[:1+2*iw.depth]...)
}

// copyString copies string bytes from p[i:] up to and including the
// closing quote, or to the end of p, and returns where it stopped.
func (iw *indentWriter) copyString(p []byte, i int) int {
	start := i
	for i < len(p) {
		if iw.escaped {
			iw.escaped = false
			i++
			continue
		}
		j := bytes.IndexAny(p[i:], `"\`)
		if j < 0 {
			i = len(p)
			break
		}
		i += j
		if p[i] == '\\' {
			iw.escaped = true
			i++
			continue
		}
		i++ // the closing quote
		iw.inString = false
		break
	}
	iw.buf = append(iw.buf, p[start:i]...)
	return i
}

// structural handles the byte at p[i] outside strings, and a whole run of
// number or literal bytes, and returns the index after them.
func (iw *indentWriter) structural(p []byte, i int) int {
	c := p[i]
	if iw.open && c != '}' && c != ']' {
		iw.newline()
		iw.open = false
	}
	switch c {
	case '"':
		iw.buf = append(iw.buf, c)
		iw.inString = true
	case '{', '[':
		iw.buf = append(iw.buf, c)
		iw.depth++
		iw.open = true
	case '}', ']':
		iw.depth--
		if iw.open {
			iw.open = false
		} else {
			iw.newline()
		}
		iw.buf = append(iw.buf, c)
	case ',':
		iw.buf = append(iw.buf, c)
		iw.newline()
	case ':':
		iw.buf = append(iw.buf, ':', ' ')
	default: // a number, a literal or the final newline: copy the run
		j := i + 1
		for j < len(p) && !structural[p[j]] {
			j++
		}
		iw.buf = append(iw.buf, p[i:j]...)
		return j
	}
	return i + 1
}

// structural marks the bytes that end a number or literal in compact JSON.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true, ',': true, ':': true}
