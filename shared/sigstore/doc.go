// Package sigstore signs and verifies artifacts with Sigstore, for every
// hub gate that does: cache-sentinel's manifests now, the sign,
// verify-signature and verify-provenance gates next. It is built on
// sigstore-go (bundles, trusted roots, verification) and on cosign's key
// formats, and keeps each network service behind a small interface so the
// online path is real code that tests replace with in-process servers
// (package sigstoretest), never with test-only branches.
//
// # Signing
//
// A [Signer] turns artifact bytes into a Sigstore bundle (the
// ".sigstore.json" that travels beside the artifact), media type
// application/vnd.dev.sigstore.bundle.v0.3+json, holding a message
// signature over the artifact's digest:
//
//   - [KeySigner] signs with a long-lived ECDSA key: a cosign key file
//     (ENCRYPTED SIGSTORE/COSIGN PRIVATE KEY, decrypted with its password) or
//     a plain PKCS #8 or SEC 1 PEM key, loaded by [LoadPrivateKey]. The bundle
//     carries the key's ID as its hint and no transparency log entry.
//   - [KeylessSigner] signs with an ephemeral key certified by a certificate
//     authority ([Fulcio]) for the identity in an OIDC token ([TokenSource],
//     GitHub Actions' token by [ActionsToken]), and records the signature in
//     a transparency log ([Rekor]).
//   - [KMSSigner] signs like KeySigner with a key that stays in AWS KMS
//     (awskms://) or HashiCorp Vault's transit engine (hashivault://),
//     through sigstore's KMS providers.
//
// Other KMS references (gcpkms://, azurekms://, k8s://, pkcs11:) are
// recognised by [IsKMSReference] and refused with [ErrKMSUnsupported]:
// their providers are not linked.
//
// # Verifying
//
// A [Verifier] is built once from trust material — a trusted root
// ([LoadTrustedRoot], [FetchTrustedRoot]) for keyless bundles, a public key
// ([LoadPublicKey]) for keyed ones — and checks a bundle against the artifact
// bytes and, for keyless bundles, an expected [Identity]. It returns a
// JSON-tagged [Result] saying who signed; failures wrap one of
// [ErrMalformedBundle], [ErrSignatureInvalid] or [ErrUntrustedSigner]. With a
// trusted root given, verification makes no network call.
package sigstore
