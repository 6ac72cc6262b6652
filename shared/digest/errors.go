package digest

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Sentinel errors. Every error this package returns for a malformed digest
// or a failed verification wraps exactly one of them; test with [errors.Is].
var (
	// ErrEmpty reports an empty (or all-whitespace) digest.
	ErrEmpty = errors.New("empty digest")

	// ErrUnknownAlgorithm reports an algorithm other than sha256, sha512
	// and blake3.
	ErrUnknownAlgorithm = errors.New("unknown digest algorithm")

	// ErrLength reports a hex value whose length does not fit the
	// algorithm.
	ErrLength = errors.New("invalid digest length")

	// ErrNotHex reports a character that is not a hexadecimal digit where
	// one was required.
	ErrNotHex = errors.New("not a hex digit")

	// ErrMismatch reports content whose digest differs from the expected
	// one.
	ErrMismatch = errors.New("digest mismatch")
)

// wantAlgorithms is the list of supported algorithms as error messages
// spell it.
const wantAlgorithms = "sha256, sha512 or blake3"

// maxQuoted bounds how much of an input value an error message repeats, so a
// whole file passed by mistake does not end up in a log line.
const maxQuoted = 256

// quote renders s with %q, shortened to about maxQuoted bytes (at a rune
// boundary) with its full length noted when it is longer.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q... (%d bytes)", s[:cut], len(s))
}

// valueError builds "<what> <quoted input>: <detail>: <sentinel>", leaving
// out the detail when it is empty.
func valueError(what, input, detail string, sentinel error) error {
	if detail == "" {
		return fmt.Errorf("%s %s: %w", what, quote(input), sentinel)
	}
	return fmt.Errorf("%s %s: %s: %w", what, quote(input), detail, sentinel)
}

// unknownAlgorithmDetail describes an unsupported algorithm name.
func unknownAlgorithmDetail(name string) string {
	return fmt.Sprintf("algorithm %s is not %s", quote(name), wantAlgorithms)
}

// lengthDetail describes a hex value of the wrong length for a.
func lengthDetail(a Algorithm, got int) string {
	return fmt.Sprintf("%s wants %d hex characters, got %d", a, 2*a.Size(), got)
}

// notHexDetail names the character at byte offset off of input, and its
// 1-based position counted in characters.
func notHexDetail(input string, off int) string {
	pos := utf8.RuneCountInString(input[:off]) + 1
	r, size := utf8.DecodeRuneInString(input[off:])
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("byte 0x%02x at position %d", input[off], pos)
	}
	return fmt.Sprintf("character %q at position %d", r, pos)
}
