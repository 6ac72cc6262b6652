package gate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLineBytes bounds one printed line; a longer message is cut (on a
// character boundary) and says how much was left out. The SARIF log and
// the evidence keep the whole text.
const maxLineBytes = 4096

// escapeControls writes control characters, invalid UTF-8 and hidden
// characters as escapes, the first rule of LogText, for Markdown.
func escapeControls(s string) string {
	if asciiFree(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		writeRune(&b, s[i:i+size], r, size)
		i += size
	}
	return b.String()
}

// writeRune writes one character of s, escaped if it must be.
func writeRune(b *strings.Builder, s string, r rune, size int) {
	switch {
	case r == utf8.RuneError && size <= 1:
		fmt.Fprintf(b, `\x%02x`, s[0])
	case r == '\n':
		b.WriteString(`\n`)
	case r == '\r':
		b.WriteString(`\r`)
	case r == '\t':
		b.WriteByte('\t')
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		fmt.Fprintf(b, `\x%02x`, r)
	case hiddenRune(r):
		fmt.Fprintf(b, `\u%04x`, r)
	default:
		b.WriteString(s)
	}
}

// LogText makes untrusted text safe to print as one line of a GitHub
// Actions log. The runner reads workflow commands from every line a step
// prints: "::name::" at the start of a line (after leading white space)
// and "##[name]" anywhere in it, and it splits lines at CR as well as LF.
// LogText
//
//   - writes line breaks and other control characters as escapes ("\n",
//     "\r", "\x1b"), so the text stays on one line and cannot move the
//     terminal's cursor; bidirectional overrides, which can make a line
//     read differently than it is, are written as "\u202e";
//   - writes "##[" as "##\[";
//   - puts a backslash before a line that would start with "::";
//   - cuts the line at 4 KiB, saying how many bytes were left out.
//
// The result never parses as a workflow command. Text that needs none of
// this is returned unchanged.
func LogText(s string) string {
	if safeLine(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '#' && strings.HasPrefix(s[i:], "##[") {
			b.WriteString(`##\[`)
			i += 3
			continue
		}
		writeRune(&b, s[i:i+size], r, size)
		i += size
	}
	out := b.String()
	if strings.HasPrefix(strings.TrimLeftFunc(out, unicode.IsSpace), "::") {
		out = `\` + out
	}
	return cutLine(out)
}

// safeLine reports whether s can be printed as it is: short, printable,
// one line, and no command syntax.
func safeLine(s string) bool {
	if len(s) > maxLineBytes || strings.Contains(s, "##[") {
		return false
	}
	if strings.HasPrefix(strings.TrimLeftFunc(s, unicode.IsSpace), "::") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' || c == 0x7f || c >= 0x80 {
			return asciiFree(s[i:])
		}
	}
	return true
}

// asciiFree checks the rest of a line that holds non-ASCII text: valid
// UTF-8 without control or hidden characters.
func asciiFree(s string) bool {
	for _, r := range s {
		switch {
		case r == utf8.RuneError, r < 0x20 && r != '\t', r == 0x7f, r >= 0x80 && r < 0xa0, hiddenRune(r):
			return false
		}
	}
	return true
}

// hiddenRune reports characters that change how a line reads without
// being seen: bidirectional controls, and line and paragraph separators.
func hiddenRune(r rune) bool {
	switch {
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// cutLine shortens s to maxLineBytes on a character boundary.
func cutLine(s string) string {
	if len(s) <= maxLineBytes {
		return s
	}
	cut := maxLineBytes - 64
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes not shown)", s[:cut], len(s)-cut)
}

// annotationText prepares an annotation's message: the runner keeps its
// line breaks (the toolkit's escaping carries them), so each line is made
// safe with LogText and the whole is cut at 4 KiB.
func annotationText(s string) string {
	lines := splitLines(s)
	for i, l := range lines {
		lines[i] = LogText(l)
	}
	return cutLine(strings.Join(lines, "\n"))
}
