package sigstore

import (
	"bytes"
	"crypto"
	_ "crypto/sha256" // the hashes a bundle may state
	_ "crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/hubgates/hub/shared/digest"
)

// Digest is what a signature must cover when the artifact is known by its
// digest: an algorithm as sigstore-go names it ("sha256", "sha384",
// "sha512") and the raw hash.
type Digest struct {
	Algorithm string
	Value     []byte
}

// String renders d as "<algorithm>:<hex>".
func (d Digest) String() string { return d.Algorithm + ":" + hex.EncodeToString(d.Value) }

// FromDigest converts a digest of package digest (any form it parses:
// "sha256:<hex>", a bare hex SHA-256, ...) into the digest a signature is
// checked against. Only SHA-256 and SHA-512 name a Sigstore hash.
func FromDigest(d digest.Digest) (Digest, error) {
	switch d.Algorithm {
	case digest.SHA256, digest.SHA512:
		return Digest{Algorithm: string(d.Algorithm), Value: d.Bytes()}, nil
	}
	return Digest{}, fmt.Errorf("expected a sha256 or sha512 digest, got %q", d)
}

// NewHash returns a hash of the named algorithm ("sha256", "sha384",
// "sha512").
func NewHash(alg string) (hash.Hash, error) {
	h, ok := hashes[alg]
	if !ok {
		return nil, fmt.Errorf("unsupported digest algorithm %q", alg)
	}
	return h.New(), nil
}

// hashes are the algorithms a bundle may state, by sigstore-go's names.
var hashes = map[string]crypto.Hash{"sha256": crypto.SHA256, "sha384": crypto.SHA384, "sha512": crypto.SHA512}

// HashFor reads r to its end and hashes it with the algorithm e's
// signature is checked under: the message digest's algorithm for a
// message signature; for a DSSE envelope, SHA-256 unless no subject of the
// statement has a SHA-256 digest (npm's provenance names SHA-512 only).
// The artifact is hashed as it streams, never held in memory.
func HashFor(e verify.SignedEntity, r io.Reader) (Digest, error) {
	alg, err := digestAlgorithm(e)
	if err != nil {
		return Digest{}, err
	}
	h := hashes[alg].New()
	if _, err := io.Copy(h, r); err != nil {
		return Digest{}, fmt.Errorf("reading the artifact: %w", err)
	}
	return Digest{Algorithm: alg, Value: h.Sum(nil)}, nil
}

// DigestAlgorithm is the algorithm, by sigstore-go's name, the artifact
// must be hashed with to check e (see [HashFor]).
func DigestAlgorithm(e verify.SignedEntity) (string, error) { return digestAlgorithm(e) }

func digestAlgorithm(e verify.SignedEntity) (string, error) {
	sc, err := e.SignatureContent()
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrMalformedBundle, err)
	}
	if ms := sc.MessageSignatureContent(); ms != nil {
		alg := normalAlgorithm(ms.DigestAlgorithm())
		if _, ok := hashes[alg]; !ok {
			return "", fmt.Errorf("%w: expected a message digest by SHA-256, SHA-384 or SHA-512, got %q", ErrMalformedBundle, alg)
		}
		return alg, nil
	}
	env := sc.EnvelopeContent()
	if env == nil {
		return "", fmt.Errorf("%w: neither a message signature nor a DSSE envelope", ErrMalformedBundle)
	}
	st, err := env.Statement()
	if err != nil {
		return "", fmt.Errorf("%w: the DSSE envelope holds no in-toto statement: %v", ErrMalformedBundle, err)
	}
	for _, alg := range []string{"sha256", "sha512", "sha384"} {
		for _, s := range st.GetSubject() {
			if _, ok := s.GetDigest()[alg]; ok {
				return alg, nil
			}
		}
	}
	return "sha256", nil
}

// checkDigest refuses a message signature whose stated digest is not the
// artifact's. sigstore-go checks a signature over the artifact's bytes
// without looking at the digest the bundle states, so a bundle could
// claim one artifact and sign another; hub compares them. (A DSSE
// statement's subjects are compared by sigstore-go itself.)
func checkDigest(e verify.SignedEntity, d Digest) error {
	sc, err := e.SignatureContent()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedBundle, err)
	}
	ms := sc.MessageSignatureContent()
	if ms == nil {
		return nil
	}
	alg := normalAlgorithm(ms.DigestAlgorithm())
	if alg != d.Algorithm {
		return fmt.Errorf("%w: %w: the bundle signs a %s digest, the artifact's is given as %s", ErrSignatureInvalid, ErrArtifactMismatch, alg, d.Algorithm)
	}
	if !bytes.Equal(ms.Digest(), d.Value) {
		return fmt.Errorf("%w: %w: the bundle signs %s:%s, the artifact is %s", ErrSignatureInvalid, ErrArtifactMismatch,
			alg, hex.EncodeToString(ms.Digest()), d)
	}
	return nil
}

// normalAlgorithm maps the spellings of hash names in log entry bodies
// ("sha256", "SHA2_256") to sigstore-go's.
func normalAlgorithm(s string) string {
	switch strings.ToUpper(s) {
	case "SHA256", "SHA2_256":
		return "sha256"
	case "SHA384", "SHA2_384":
		return "sha384"
	case "SHA512", "SHA2_512":
		return "sha512"
	}
	return strings.ToLower(s)
}
