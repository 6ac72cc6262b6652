package sigstore

import (
	"strconv"
	"unicode/utf8"
)

// maxExcerpt bounds what a message quotes of untrusted text.
const maxExcerpt = 80

// Excerpt quotes s for a message, Go-escaped and cut to its first 80
// bytes (at a character boundary, "..." after the closing quote marking
// the cut): what an error may show of a file that did not parse, or of
// an error that quotes one, so that a file's content never reaches a log
// whole.
func Excerpt(s string) string {
	if len(s) <= maxExcerpt {
		return strconv.Quote(s)
	}
	cut := maxExcerpt
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}
