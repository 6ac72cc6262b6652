package sweep

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
)

// minKnownLen is the shortest secret value the gate compares: a shorter
// one would match ordinary text by chance.
const minKnownLen = 8

// knownSecrets finds the values of the secrets a caller hands in without
// keeping them: each is held as its SHA-256 and length, and text is
// searched with a rolling hash per length (Rabin-Karp) whose candidates are
// confirmed by SHA-256. The values themselves are neither stored nor
// printed.
type knownSecrets struct {
	lens  []int
	byLen map[int]map[uint64][]knownValue
}

// knownValue is one secret: its number in the input (1-based, for
// messages) and its digest.
type knownValue struct {
	index  int
	digest [32]byte
}

// rkBase is the rolling hash's multiplier; arithmetic wraps modulo 2^64,
// and SHA-256 settles every candidate, so collisions cost time only.
const rkBase = 1099511628211

// newKnownSecrets prepares the values, one a line (CR and surrounding
// space trimmed; empty lines dropped). A value shorter than minKnownLen is
// an error naming its line, never its text.
func newKnownSecrets(text string) (*knownSecrets, error) {
	k := &knownSecrets{byLen: map[int]map[uint64][]knownValue{}}
	n := 0
	for line := range strings.SplitSeq(text, "\n") {
		v := strings.TrimSpace(line)
		if v == "" {
			continue
		}
		n++
		if len(v) < minKnownLen {
			return nil, &knownError{fmt.Sprintf("secret %d is %d characters long, want at least %d (a shorter value matches ordinary text by chance)", n, len(v), minKnownLen)}
		}
		m := k.byLen[len(v)]
		if m == nil {
			m = map[uint64][]knownValue{}
			k.byLen[len(v)] = m
			k.lens = append(k.lens, len(v))
		}
		h := rollingHash(v)
		m[h] = append(m[h], knownValue{index: n, digest: sha256.Sum256([]byte(v))})
	}
	slices.Sort(k.lens)
	return k, nil
}

// count is the number of values held.
func (k *knownSecrets) count() int {
	n := 0
	for _, m := range k.byLen {
		for _, vs := range m {
			n += len(vs)
		}
	}
	return n
}

func rollingHash(s string) uint64 {
	var h uint64
	for i := 0; i < len(s); i++ {
		h = h*rkBase + uint64(s[i])
	}
	return h
}

// knownMatch is one occurrence of a known secret in text.
type knownMatch struct {
	index  int // the secret's number in the input
	offset int // byte offset in the text
	length int
	digest [32]byte
}

// find returns every occurrence of a known value in text.
func (k *knownSecrets) find(text string) []knownMatch {
	if k == nil {
		return nil
	}
	var out []knownMatch
	for _, L := range k.lens {
		if len(text) < L {
			break
		}
		m := k.byLen[L]
		// pow is rkBase^(L-1), the weight of the byte leaving the window.
		pow := uint64(1)
		for i := 1; i < L; i++ {
			pow *= rkBase
		}
		h := rollingHash(text[:L])
		for i := 0; ; i++ {
			if vs, ok := m[h]; ok {
				d := sha256.Sum256([]byte(text[i : i+L]))
				for _, v := range vs {
					if v.digest == d {
						out = append(out, knownMatch{index: v.index, offset: i, length: L, digest: d})
					}
				}
			}
			if i+L >= len(text) {
				break
			}
			h = (h-uint64(text[i])*pow)*rkBase + uint64(text[i+L])
		}
	}
	return out
}

// knownError is a secret value the gate cannot compare; it names the
// value's line, never its text.
type knownError struct{ msg string }

func (e *knownError) Error() string { return e.msg }
