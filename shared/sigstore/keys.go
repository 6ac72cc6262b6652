package sigstore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
)

// The PEM block types of cosign's encrypted private keys ("cosign
// generate-key-pair" writes the first; older cosign wrote the second).
const (
	pemSigstoreEncrypted = "ENCRYPTED SIGSTORE PRIVATE KEY"
	pemCosignEncrypted   = "ENCRYPTED COSIGN PRIVATE KEY"
)

// kmsSchemes are the key reference schemes cosign hands to a KMS provider.
var kmsSchemes = []string{"awskms://", "gcpkms://", "azurekms://", "hashivault://", "k8s://", "pkcs11:"}

// IsKMSReference reports whether ref names a key held by a KMS or a token
// rather than key material.
func IsKMSReference(ref string) bool {
	ref = strings.TrimSpace(ref)
	for _, s := range kmsSchemes {
		if strings.HasPrefix(ref, s) {
			return true
		}
	}
	return false
}

// LoadPrivateKey reads an ECDSA private key from PEM: a cosign key
// (decrypted with password, which may be empty), or an unencrypted PKCS #8
// ("PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY") key. A KMS reference is refused
// with ErrKMSUnsupported (see NewKMSSigner for those); anything else unusable wraps ErrBadKey or
// ErrUnsupportedKey.
func LoadPrivateKey(pemData, password []byte) (crypto.Signer, error) {
	if IsKMSReference(string(pemData)) {
		scheme, _, _ := strings.Cut(strings.TrimSpace(string(pemData)), ":")
		return nil, fmt.Errorf("%w: expected PEM key material, got a %s: reference (use a cosign key file's contents, or keyless signing)", ErrKMSUnsupported, scheme)
	}
	block, rest := pem.Decode(pemData)
	if block == nil {
		return nil, fmt.Errorf("%w: expected a PEM private key, got no PEM block", ErrBadKey)
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, fmt.Errorf("%w: expected one PEM block, got data after %q", ErrBadKey, block.Type)
	}
	var key any
	var err error
	switch block.Type {
	case pemSigstoreEncrypted, pemCosignEncrypted:
		der, derr := encrypted.Decrypt(block.Bytes, password)
		if derr != nil {
			return nil, fmt.Errorf("%w: decrypting the cosign key (wrong password?): %v", ErrBadKey, derr)
		}
		key, err = x509.ParsePKCS8PrivateKey(der)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: expected a cosign, PKCS #8 or EC private key, got PEM type %q", ErrBadKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: parsing %q: %v", ErrBadKey, block.Type, err)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%w: expected an ECDSA key, got %T", ErrUnsupportedKey, key)
	}
	if _, _, err := hashFor(&ec.PublicKey); err != nil {
		return nil, err
	}
	return ec, nil
}

// LoadPublicKey reads a PEM "PUBLIC KEY" (PKIX), as "cosign
// generate-key-pair" writes to cosign.pub. Only ECDSA keys are accepted.
func LoadPublicKey(pemData []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(pemData)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("%w: expected a PEM \"PUBLIC KEY\" block", ErrBadKey)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: parsing the public key: %v", ErrBadKey, err)
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: expected an ECDSA key, got %T", ErrUnsupportedKey, pub)
	}
	if _, _, err := hashFor(ec); err != nil {
		return nil, err
	}
	return ec, nil
}

// hashFor returns the hash an ECDSA key of this curve signs with, as
// cosign pairs them.
func hashFor(pub *ecdsa.PublicKey) (crypto.Hash, protocommon.HashAlgorithm, error) {
	switch pub.Curve {
	case elliptic.P256():
		return crypto.SHA256, protocommon.HashAlgorithm_SHA2_256, nil
	case elliptic.P384():
		return crypto.SHA384, protocommon.HashAlgorithm_SHA2_384, nil
	case elliptic.P521():
		return crypto.SHA512, protocommon.HashAlgorithm_SHA2_512, nil
	}
	return 0, 0, fmt.Errorf("%w: expected curve P-256, P-384 or P-521, got %s", ErrUnsupportedKey, pub.Curve.Params().Name)
}

// KeyID names a public key: "sha256:" and the hex SHA-256 of its PKIX DER
// encoding. Keyed bundles carry it as their key hint.
func KeyID(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("%w: encoding the public key: %v", ErrBadKey, err)
	}
	sum := sha256.Sum256(der)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// MarshalPublicKey encodes pub as a PEM "PUBLIC KEY" block.
func MarshalPublicKey(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding the public key: %v", ErrBadKey, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
