// Package signing turns the signing inputs hub's gates share (private-key,
// private-key-password, fulcio-url, rekor-url) into a [sigstore.Signer]:
// a key when one is given, keyless through the job's OIDC token
// otherwise. Every gate that signs (sign, cache-sentinel seal) builds its
// signer here, so the checks and their messages are the same everywhere.
package signing
