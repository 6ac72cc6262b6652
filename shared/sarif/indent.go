package sarif

import "bytes"

// appendIndented appends compact JSON src to dst indented by two spaces,
// byte for byte what json.Indent(dst, src, "", "  ") gives for the compact
// output of encoding/json. It exists because json.Indent runs its full
// syntax scanner over every byte and was most of the time a gate spent
// writing a large report; src is trusted to be valid compact JSON.
func appendIndented(dst, src []byte) []byte {
	depth := 0
	// margin is a newline and the deepest indentation so far.
	margin := []byte("\n                                ")
	// open is set just after '{' or '[': the newline waits for the next
	// byte, so an empty object or array stays "{}" or "[]".
	open := false
	newline := func() {
		for len(margin) < 1+2*depth {
			margin = append(margin, "                                "...)
		}
		dst = append(dst, margin[:1+2*depth]...)
	}
	for i := 0; i < len(src); {
		c := src[i]
		if open && c != '}' && c != ']' {
			newline()
			open = false
		}
		switch c {
		case '"':
			end := stringEnd(src, i)
			dst = append(dst, src[i:end]...)
			i = end
			continue
		case '{', '[':
			dst = append(dst, c)
			depth++
			open = true
		case '}', ']':
			depth--
			if open {
				open = false
			} else {
				newline()
			}
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default: // a number or literal: copy it whole
			j := i + 1
			for j < len(src) && !structural[src[j]] {
				j++
			}
			dst = append(dst, src[i:j]...)
			i = j
			continue
		}
		i++
	}
	return dst
}

// structural marks the bytes that end a number or literal in compact JSON.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true, ',': true, ':': true}

// stringEnd returns the index just past the string literal starting at
// src[start] == '"': the first quote not escaped by an odd run of
// backslashes.
func stringEnd(src []byte, start int) int {
	for i := start + 1; ; {
		j := bytes.IndexByte(src[i:], '"')
		if j < 0 {
			return len(src)
		}
		q := i + j
		backslashes := 0
		for p := q - 1; p > start && src[p] == '\\'; p-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return q + 1
		}
		i = q + 1
	}
}
