package sweep

import (
	"crypto/rand"
	"testing"
)

// mint returns a token of the format prefix whose checksum holds, as only
// the issuer mints them, from fresh random entropy: tests never carry a
// checksum-valid token in the repository.
func mint(t *testing.T, prefix string) string {
	t.Helper()
	var b [30]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = base62[int(b[i])%62]
	}
	return prefix + string(b[:]) + tokenChecksum(string(b[:]))
}

// tamper changes one character of the token's random part, keeping its
// shape: its checksum no longer holds.
func tamper(tok string) string {
	b := []byte(tok)
	i := len(b) - 10
	if b[i] == 'a' {
		b[i] = 'b'
	} else {
		b[i] = 'a'
	}
	return string(b)
}
