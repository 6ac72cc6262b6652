package sigstore

import "errors"

// The sentinel errors of this package; errors wrap them with evidence,
// compare with errors.Is.
var (
	// ErrMalformedBundle: the bundle is not a valid Sigstore bundle.
	ErrMalformedBundle = errors.New("malformed sigstore bundle")
	// ErrSignatureInvalid: the bundle does not verify: a signature made over
	// other bytes, a certificate or log entry that does not chain to the
	// trust material.
	ErrSignatureInvalid = errors.New("signature does not verify")
	// ErrArtifactMismatch: the bundle signs other bytes than the artifact
	// (its message digest or statement subjects name another digest). It
	// is wrapped together with ErrSignatureInvalid.
	ErrArtifactMismatch = errors.New("the signature is over other bytes than the artifact")
	// ErrUntrustedSigner: the signature is valid but made by an identity
	// or key other than the one expected.
	ErrUntrustedSigner = errors.New("signer is not trusted")
	// ErrBadKey: a key could not be read (bad PEM, wrong password).
	ErrBadKey = errors.New("unusable key")
	// ErrUnsupportedKey: the key's algorithm is not supported.
	ErrUnsupportedKey = errors.New("unsupported key")
	// ErrKMSUnsupported: the key is a KMS reference whose provider hub does
	// not link (only awskms:// and hashivault:// are; see NewKMSSigner).
	ErrKMSUnsupported = errors.New("KMS provider not supported")
	// ErrBadTrustedRoot: a trusted root could not be read.
	ErrBadTrustedRoot = errors.New("unusable trusted root")
	// ErrService: a Sigstore service (OIDC token endpoint, Fulcio, Rekor)
	// refused a request or answered with something unusable.
	ErrService = errors.New("sigstore service error")
)
