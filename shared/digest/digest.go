package digest

import (
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
)

// Algorithm names a digest algorithm exactly as the canonical form spells
// it. Only the constants below are supported.
type Algorithm string

// The supported algorithms.
const (
	// SHA256 is SHA-256 (FIPS 180-4): 32 bytes, 64 hex characters.
	SHA256 Algorithm = "sha256"
	// SHA512 is SHA-512 (FIPS 180-4): 64 bytes, 128 hex characters.
	SHA512 Algorithm = "sha512"
	// BLAKE3 is BLAKE3 with its default 32-byte output: 64 hex characters.
	BLAKE3 Algorithm = "blake3"
)

// algorithms lists the supported algorithms.
var algorithms = [...]Algorithm{SHA256, SHA512, BLAKE3}

// Size returns the length in bytes of a digest made with a: 32 for SHA256
// and BLAKE3, 64 for SHA512, and 0 for anything else.
func (a Algorithm) Size() int {
	switch a {
	case SHA256, BLAKE3:
		return 32
	case SHA512:
		return 64
	}
	return 0
}

// ParseAlgorithm returns the algorithm named by s, ignoring surrounding
// whitespace and ASCII case ("SHA256" is SHA256). Any other name is an error
// wrapping [ErrUnknownAlgorithm] (or [ErrEmpty] when s is blank).
func ParseAlgorithm(s string) (Algorithm, error) {
	name := strings.TrimSpace(s)
	if name == "" {
		return "", valueError("parsing algorithm", s, "", ErrEmpty)
	}
	a, ok := lookupAlgorithm(name)
	if !ok {
		return "", valueError("parsing algorithm", s, "not "+wantAlgorithms, ErrUnknownAlgorithm)
	}
	return a, nil
}

// lookupAlgorithm matches name against the supported algorithms, folding
// ASCII case only: Unicode folding would let look-alikes such as the Kelvin
// sign stand in for "k".
func lookupAlgorithm(name string) (Algorithm, bool) {
	for _, a := range algorithms {
		if equalFoldASCII(name, string(a)) {
			return a, true
		}
	}
	return "", false
}

// equalFoldASCII reports whether s equals lower, which must be lower-case
// ASCII, when upper-case ASCII letters in s are lowered.
func equalFoldASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// Digest is a content digest: an algorithm and the digest value as hex.
// Values returned by this package are canonical: Algorithm is one of the
// constants and Hex is lower-case with the algorithm's length, so two
// Digests name the same content exactly when they are ==. The zero Digest
// means "no digest".
type Digest struct {
	Algorithm Algorithm
	Hex       string
}

// cosignSuffixes are the artifact-kind suffixes cosign appends to its
// "sha256-HEX" tags.
var cosignSuffixes = [...]string{".sig", ".att", ".sbom"}

// Parse reads a digest in any of the forms described in the package
// documentation and returns it in canonical form. Errors wrap [ErrEmpty],
// [ErrUnknownAlgorithm], [ErrLength] or [ErrNotHex].
func Parse(s string) (Digest, error) {
	rest := strings.TrimLeftFunc(s, unicode.IsSpace)
	lead := len(s) - len(rest) // byte offset of body in s
	body := strings.TrimRightFunc(rest, unicode.IsSpace)
	if body == "" {
		return Digest{}, valueError("parsing digest", s, "", ErrEmpty)
	}

	// "algo:HEX".
	if i := strings.IndexByte(body, ':'); i >= 0 {
		a, ok := lookupAlgorithm(body[:i])
		if !ok {
			return Digest{}, valueError("parsing digest", s, unknownAlgorithmDetail(body[:i]), ErrUnknownAlgorithm)
		}
		return parseHex("parsing digest", s, a, body[i+1:], lead+i+1)
	}

	// cosign's tag form "algo-HEX", optionally with ".sig", ".att" or
	// ".sbom".
	if i := strings.IndexByte(body, '-'); i >= 0 {
		a, ok := lookupAlgorithm(body[:i])
		if !ok {
			return Digest{}, valueError("parsing digest", s, unknownAlgorithmDetail(body[:i]), ErrUnknownAlgorithm)
		}
		h := body[i+1:]
		for _, suffix := range cosignSuffixes {
			if n := len(h) - len(suffix); n >= 0 && equalFoldASCII(h[n:], suffix) {
				h = h[:n]
				break
			}
		}
		return parseHex("parsing digest", s, a, h, lead+i+1)
	}

	// Bare hex: the length decides the algorithm.
	if i := indexNotHex(body); i >= 0 {
		return Digest{}, valueError("parsing digest", s, notHexDetail(s, lead+i), ErrNotHex)
	}
	switch len(body) {
	case 2 * SHA256.Size():
		return Digest{Algorithm: SHA256, Hex: strings.ToLower(body)}, nil
	case 2 * SHA512.Size():
		return Digest{Algorithm: SHA512, Hex: strings.ToLower(body)}, nil
	}
	return Digest{}, valueError("parsing digest", s,
		fmt.Sprintf("bare hex wants 64 (sha256) or 128 (sha512) hex characters, got %d", len(body)), ErrLength)
}

// parseHex checks that h, found at byte offset off of input, is hex of the
// right length for a, and returns the canonical Digest. what starts the
// error message.
func parseHex(what, input string, a Algorithm, h string, off int) (Digest, error) {
	if i := indexNotHex(h); i >= 0 {
		return Digest{}, valueError(what, input, notHexDetail(input, off+i), ErrNotHex)
	}
	if len(h) != 2*a.Size() {
		return Digest{}, valueError(what, input, lengthDetail(a, len(h)), ErrLength)
	}
	return Digest{Algorithm: a, Hex: strings.ToLower(h)}, nil
}

// indexNotHex returns the byte index of the first byte of s that is not an
// ASCII hex digit, or -1.
func indexNotHex(s string) int {
	for i := range len(s) {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return i
		}
	}
	return -1
}

// Normalize returns the canonical form "algo:lowerhex" of a digest written
// in any of the forms [Parse] accepts.
func Normalize(s string) (string, error) {
	d, err := Parse(s)
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// FromReference returns the digest of an image reference such as
// "ghcr.io/owner/image:v1@sha256:HEX": whatever follows the last "@",
// parsed with [Parse]. A reference without "@" (a tag-only reference), or
// with nothing after it, is an error wrapping [ErrEmpty]. The name before
// the "@" is not checked.
func FromReference(ref string) (Digest, error) {
	i := strings.LastIndexByte(ref, '@')
	if i < 0 {
		return Digest{}, valueError("parsing reference", ref, `no "@" digest`, ErrEmpty)
	}
	d, err := Parse(ref[i+1:])
	if err != nil {
		return Digest{}, valueError("parsing reference", ref, "", err)
	}
	return d, nil
}

// String returns d in canonical form, "algo:lowerhex", or "" for the zero
// Digest. For a Digest built by hand, String only lowers the case; use
// [Digest.MarshalText] to validate as well.
func (d Digest) String() string {
	if d.IsZero() {
		return ""
	}
	return strings.ToLower(string(d.Algorithm)) + ":" + strings.ToLower(d.Hex)
}

// IsZero reports whether d is the zero Digest, so that a Digest field tagged
// `json:",omitzero"` is left out of JSON output.
func (d Digest) IsZero() bool {
	return d == Digest{}
}

// Bytes returns the raw digest value, or nil if d.Hex is not valid hex (as
// for the zero Digest).
func (d Digest) Bytes() []byte {
	b, err := hex.DecodeString(d.Hex)
	if err != nil || len(b) == 0 {
		return nil
	}
	return b
}

// canonical validates d, which may have been built by hand, and returns it
// in canonical form. Errors wrap the same sentinels as [Parse].
func (d Digest) canonical() (Digest, error) {
	const what = "invalid digest"
	s := string(d.Algorithm) + ":" + d.Hex
	if d.IsZero() {
		return Digest{}, valueError(what, "", "", ErrEmpty)
	}
	a, ok := lookupAlgorithm(string(d.Algorithm))
	if !ok {
		return Digest{}, valueError(what, s, unknownAlgorithmDetail(string(d.Algorithm)), ErrUnknownAlgorithm)
	}
	return parseHex(what, s, a, d.Hex, len(d.Algorithm)+1)
}

// MarshalText implements [encoding.TextMarshaler]: it returns the canonical
// form. An invalid Digest, including the zero Digest, is an error; tag an
// optional Digest field `json:",omitzero"`.
func (d Digest) MarshalText() ([]byte, error) {
	c, err := d.canonical()
	if err != nil {
		return nil, err
	}
	return []byte(c.String()), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]: it parses text with
// [Parse], so any accepted form decodes to the canonical Digest and anything
// else is an error. On error d is left unchanged.
func (d *Digest) UnmarshalText(text []byte) error {
	p, err := Parse(string(text))
	if err != nil {
		return err
	}
	*d = p
	return nil
}
