package digest

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"

	"github.com/zeebo/blake3"
)

// bufferSize is the read buffer used when streaming content into a hash;
// it bounds the memory FromReader and FromFile use, whatever the input size.
const bufferSize = 64 << 10

// newHash returns a fresh hash for a, or an error wrapping
// [ErrUnknownAlgorithm] if a is not one of the constants.
func newHash(a Algorithm) (hash.Hash, error) {
	switch a {
	case SHA256:
		return sha256.New(), nil
	case SHA512:
		return sha512.New(), nil
	case BLAKE3:
		return blake3.New(), nil
	}
	return nil, fmt.Errorf("computing digest: %s: %w", unknownAlgorithmDetail(string(a)), ErrUnknownAlgorithm)
}

// FromBytes returns the digest of b computed with a. It panics if a is not
// [SHA256], [SHA512] or [BLAKE3]: the algorithm is meant to be a constant
// here; use [FromReader] with an algorithm that comes from input.
func FromBytes(a Algorithm, b []byte) Digest {
	var sum []byte
	switch a {
	case SHA256:
		s := sha256.Sum256(b)
		sum = s[:]
	case SHA512:
		s := sha512.Sum512(b)
		sum = s[:]
	case BLAKE3:
		s := blake3.Sum256(b)
		sum = s[:]
	default:
		panic(fmt.Sprintf("digest.FromBytes: algorithm %q is not %s", string(a), wantAlgorithms))
	}
	return Digest{Algorithm: a, Hex: hex.EncodeToString(sum)}
}

// FromReader returns the digest, computed with a, of everything r yields up
// to io.EOF, and the number of bytes read. It reads through a fixed-size
// buffer, so memory use does not grow with the input. An algorithm other
// than the constants is an error wrapping [ErrUnknownAlgorithm]; a read
// error is returned wrapped, together with the number of bytes read before
// it.
func FromReader(a Algorithm, r io.Reader) (Digest, int64, error) {
	h, err := newHash(a)
	if err != nil {
		return Digest{}, 0, err
	}
	// Hide any WriterTo of r so that the copy always goes through buf.
	n, err := io.CopyBuffer(h, struct{ io.Reader }{r}, make([]byte, bufferSize))
	if err != nil {
		return Digest{}, n, fmt.Errorf("computing %s digest: reading after %d bytes: %w", a, n, err)
	}
	return Digest{Algorithm: a, Hex: hex.EncodeToString(h.Sum(nil))}, n, nil
}

// FromFile returns the digest, computed with a, of the file at path and its
// size in bytes, streaming the content as [FromReader] does. Errors from
// opening or reading the file are wrapped, so errors.Is(err, fs.ErrNotExist)
// works.
func FromFile(a Algorithm, path string) (Digest, int64, error) {
	if _, err := newHash(a); err != nil {
		return Digest{}, 0, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Digest{}, 0, fmt.Errorf("computing %s digest: %w", a, err)
	}
	defer f.Close()
	return FromReader(a, f)
}

// Verify computes the digest of everything r yields with d's algorithm and
// compares it with d. A difference is an error wrapping [ErrMismatch],
// reading `digest mismatch: expected "sha256:…", got "sha256:…"`. An invalid
// d (including the zero Digest) or a read error is reported as such; in
// every case a nil error means the content matched.
func (d Digest) Verify(r io.Reader) error {
	want, err := d.canonical()
	if err != nil {
		return fmt.Errorf("verifying: %w", err)
	}
	got, _, err := FromReader(want.Algorithm, r)
	if err != nil {
		return fmt.Errorf("verifying %s: %w", want, err)
	}
	if got != want {
		return fmt.Errorf("%w: expected %q, got %q", ErrMismatch, want.String(), got.String())
	}
	return nil
}
