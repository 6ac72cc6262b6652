package sweep

import (
	"hash/crc32"
	"strings"
)

// base62 is the alphabet GitHub and npm write their token checksums in.
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// checksumPrefixes are the token formats whose last six characters are the
// base62 CRC32 of the thirty random characters before them: GitHub's
// classic tokens (2021 format) and npm's granular tokens. A match of the
// pattern whose checksum fails was never minted, so it is not reported.
var checksumPrefixes = []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"}

// checksumState says what the checksum of a token proved.
type checksumState int

const (
	// noChecksum: the format carries no checksum (or the match is not of
	// the checksummed shape), so the rule's pattern alone decides.
	noChecksum checksumState = iota
	// checksumValid: the token's own checksum holds.
	checksumValid
	// checksumInvalid: the token has the checksummed shape and its
	// checksum fails: a random string, not a token.
	checksumInvalid
)

// verifyChecksum checks the CRC32 suffix of a GitHub or npm token.
func verifyChecksum(token string) checksumState {
	for _, p := range checksumPrefixes {
		if !strings.HasPrefix(token, p) {
			continue
		}
		body := token[len(p):]
		if len(body) != 36 {
			return noChecksum
		}
		if tokenChecksum(body[:30]) == body[30:] {
			return checksumValid
		}
		return checksumInvalid
	}
	return noChecksum
}

// tokenChecksum is the six-character base62 CRC32 (IEEE) of entropy,
// left-padded with zeros.
func tokenChecksum(entropy string) string {
	n := crc32.ChecksumIEEE([]byte(entropy))
	var b [6]byte
	for i := 5; i >= 0; i-- {
		b[i] = base62[n%62]
		n /= 62
	}
	return string(b[:])
}

// publicPrefixes are the prefixes token formats publish; a finding may
// show one, and nothing more of the value.
var publicPrefixes = []string{
	"github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_", "pypi-", "dckr_pat_", "glpat-",
	"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xapp-",
	"AKIA", "ASIA", "ABIA", "ACCA", "AIza", "sk_live_", "rk_live_", "eyJ", "-----BEGIN",
}

// publicPrefix returns the published prefix the value starts with, or "".
func publicPrefix(value string) string {
	for _, p := range publicPrefixes {
		if strings.HasPrefix(value, p) {
			return p
		}
	}
	return ""
}
