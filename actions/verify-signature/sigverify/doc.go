// Package sigverify is the verify-signature gate: it checks the Sigstore
// bundle beside each artifact (as the sign gate writes them) against an
// expected signer — a keyless identity (exact or regexp) and OIDC issuer,
// optionally narrowed by the GitHub workflow claims Fulcio writes into the
// certificate ([Claims]), or a public key; and the signatures attached to
// OCI images, each image resolved to its digest once, found among its OCI
// referrers and in cosign's "sha256-<hex>.sig" tag ([VerifyImages]).
//
// With a trusted-root file the whole verification runs from files, with
// no network call; without one, the public-good trusted root is fetched
// through TUF from a mirror. Either way the timeout input bounds the whole
// run through its context, so an unanswering Sigstore ends the run with
// exit 3 and a message naming what did not answer, never with a pass.
package sigverify
