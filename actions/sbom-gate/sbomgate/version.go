package sbomgate

import (
	"strconv"
	"strings"

	"golang.org/x/mod/semver"
)

// semverTypes are the package URL types whose versions are semantic
// versions; the rest are compared by [compareGeneric].
var semverTypes = map[string]bool{"golang": true, "npm": true, "cargo": true, "nuget": true, "hex": true, "pub": true, "swift": true}

// CompareVersions orders two versions of a package of the given purl type:
// -1 when a is older, 1 when newer, 0 when equal. Semantic versions use
// semver precedence; everything else is compared the way rpm, dpkg and apk
// agree on for ordinary versions: an "epoch:" prefix first, then runs of
// digits numerically and runs of letters as text, a "~" or a pre-release
// word (alpha, beta, rc, pre, dev) sorting before the release it precedes.
func CompareVersions(typ, a, b string) int {
	if a == b {
		return 0
	}
	if semverTypes[typ] {
		va, vb := "v"+strings.TrimPrefix(a, "v"), "v"+strings.TrimPrefix(b, "v")
		if semver.IsValid(va) && semver.IsValid(vb) {
			return semver.Compare(va, vb)
		}
	}
	return compareGeneric(a, b)
}

func compareGeneric(a, b string) int {
	ea, ra := splitEpoch(a)
	eb, rb := splitEpoch(b)
	if ea != eb {
		return cmpInt(ea, eb)
	}
	ta, tb := tokenize(ra), tokenize(rb)
	for i := 0; ; i++ {
		switch {
		case i >= len(ta) && i >= len(tb):
			return strings.Compare(ra, rb) // same tokens, different separators
		case i >= len(ta):
			return -tailSign(tb[i:])
		case i >= len(tb):
			return tailSign(ta[i:])
		}
		x, y := ta[i], tb[i]
		if x.tilde != y.tilde {
			if x.tilde {
				return -1
			}
			return 1
		}
		switch {
		case x.num && y.num:
			if c := cmpNumeric(x.text, y.text); c != 0 {
				return c
			}
		case x.num != y.num:
			// A number sorts after letters (rpm): 1.0.1 > 1.0.a.
			if x.num {
				return 1
			}
			return -1
		default:
			if c := strings.Compare(x.text, y.text); c != 0 {
				return c
			}
		}
	}
}

// tailSign says whether the extra tokens after a common prefix make a
// version newer (1: 1.0.1 > 1.0) or older (-1: 1.0-rc1 < 1.0, 1.0~b < 1.0).
func tailSign(rest []token) int {
	t := rest[0]
	if t.tilde || (!t.num && preRelease[strings.ToLower(t.text)]) {
		return -1
	}
	return 1
}

var preRelease = map[string]bool{"alpha": true, "a": true, "beta": true, "b": true, "rc": true, "pre": true, "preview": true, "dev": true, "snapshot": true, "m": true}

type token struct {
	text  string
	num   bool
	tilde bool // the token follows a "~"
}

// tokenize splits a version into runs of digits and runs of letters;
// other characters separate them, and "~" marks the next token.
func tokenize(s string) []token {
	var out []token
	tilde := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '~':
			tilde = true
			i++
		case isDigit(c):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			out = append(out, token{text: s[i:j], num: true, tilde: tilde})
			tilde = false
			i = j
		case isLetter(c):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			out = append(out, token{text: s[i:j], tilde: tilde})
			tilde = false
			i = j
		default:
			i++
		}
	}
	if tilde {
		out = append(out, token{tilde: true})
	}
	return out
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// splitEpoch takes a leading "N:" epoch off a version.
func splitEpoch(v string) (int, string) {
	v = strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V")
	if i := strings.IndexByte(v, ':'); i > 0 {
		if n, err := strconv.Atoi(v[:i]); err == nil {
			return n, v[i+1:]
		}
	}
	return 0, v
}

// cmpNumeric compares digit strings of any length.
func cmpNumeric(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return cmpInt(len(a), len(b))
	}
	return strings.Compare(a, b)
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
