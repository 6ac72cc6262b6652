// Package signer is the sign gate: it signs files of the workspace into
// Sigstore bundles, one "<file>.sigstore.json" beside each, keyless through
// the job's GitHub Actions OIDC token (a Fulcio certificate and a Rekor
// entry) or with a key; and OCI images by digest, attaching each signature
// to its image in cosign's "sha256-<hex>.sig" tag layout and as an OCI
// referrer, or in one of them ([SignImages], [Layout], on package ociref).
//
// [Resolve] turns the artifacts input (files and doublestar globs) into
// workspace files, refusing anything that leaves the workspace; the
// verify-signature gate resolves its artifacts with it too, so both gates
// agree on what a pattern names and where its bundle lies ([BundlePath]).
package signer
