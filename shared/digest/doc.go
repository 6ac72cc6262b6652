// Package digest parses, normalizes and computes the content digests that
// supply-chain tooling passes around, and reduces every spelling of a digest
// to one canonical form:
//
//	algo:lowerhex
//
// for example "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".
// Two digests name the same content exactly when their canonical strings are
// equal, so gates compare [Digest] values (or their String results) with ==.
//
// # Algorithms
//
// Three algorithms are supported: [SHA256] (64 hex characters), [SHA512]
// (128 hex characters) and [BLAKE3] with its default 32-byte output (64 hex
// characters). Anything else, including sha1, sha384 and md5, is rejected
// with [ErrUnknownAlgorithm].
//
// # Accepted forms
//
// [Parse] and [Normalize] accept:
//
//   - the prefixed form "sha256:HEX", "sha512:HEX" or "blake3:HEX", as used
//     by OCI image references, in-toto subjects and SBOM hashes;
//   - bare hex, with the algorithm taken from the length: 64 hex characters
//     are sha256 and 128 are sha512. A bare 64-character value is always
//     taken as sha256, so a blake3 digest must carry its "blake3:" prefix;
//   - cosign's tag form "sha256-HEX" (likewise "sha512-HEX" and
//     "blake3-HEX"), also with one of cosign's suffixes ".sig", ".att" or
//     ".sbom" (as in "sha256-HEX.sig"); the suffix only names the kind of
//     artifact and is dropped;
//   - any of the above in upper or mixed case (algorithm name, hex digits
//     and cosign suffix alike; ASCII case only) and with surrounding
//     whitespace.
//
// [FromReference] takes the digest out of an image reference such as
// "ghcr.io/owner/image:v1@sha256:HEX".
//
// Rejections wrap one of the sentinel errors [ErrEmpty],
// [ErrUnknownAlgorithm], [ErrLength] and [ErrNotHex], so callers can test
// them with [errors.Is]; the message quotes the offending value and says
// what was wrong, for example:
//
//	parsing digest "sha256:abc": sha256 wants 64 hex characters, got 3: invalid digest length
//
// # Computing and verifying
//
// [FromBytes], [FromReader] and [FromFile] compute digests; the latter two
// stream through a bounded buffer, so files of any size use constant memory.
// [Digest.Verify] recomputes a digest over a reader and reports a difference
// with an error wrapping [ErrMismatch].
//
// A [Digest] marshals to and from its canonical string (it implements
// [encoding.TextMarshaler] and [encoding.TextUnmarshaler]), so a Digest field
// in a JSON document is validated when the document is decoded.
package digest
