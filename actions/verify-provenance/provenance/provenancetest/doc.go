// Package provenancetest signs SLSA provenance the way GitHub Actions
// builders do, inside a test process, and attaches it to images in an OCI
// registry the way their tools do.
//
// [Sigstore] is a private certificate authority and transparency log: it
// issues a Fulcio-style certificate carrying every GitHub Actions claim a
// verifier reads (issuer, workflow identity, source repository, ref,
// commit, trigger, build config, run), signs an in-toto statement as a
// DSSE envelope with it, and logs the envelope as a Rekor "dsse" entry
// with a signed entry timestamp and a checkpointed inclusion proof. The
// result is a Sigstore bundle v0.3 (what actions/attest-build-provenance
// writes) and the layer annotations cosign writes for the same signature.
// Its trusted_root.json names only this instance, so what it signs never
// verifies against another root.
//
// [AttachCosign] writes attestations in cosign's tag layout
// ("sha256-<hex>.att") with cosign's own library, [AttachReferrer] as an
// OCI 1.1 referrer per cosign's bundle specification, and [PushLayout]
// copies an OCI image layout (such as slsa-verifier's recorded container
// test images) into a registry byte for byte, so digests are kept.
//
// The package differs from shared/sigstore/sigstoretest in what its
// certificates say: sigstoretest's Fulcio names the workflow only, while
// provenance verifiers compare the source repository and ref claims too.
package provenancetest
