// Package provenancetest signs SLSA provenance the way GitHub Actions
// builders do, inside a test process, and attaches it to images in an OCI
// registry the way their tools do.
//
// [Sigstore] is shared/sigstore/sigstoretest's private Sigstore with
// [Sigstore.Attest]: it signs an in-toto statement as a DSSE envelope
// with a certificate carrying every GitHub Actions claim a verifier reads
// (issuer, workflow identity, source repository, ref, commit, trigger,
// build config, run) and logs it as a Rekor "dsse" entry. The result is a
// Sigstore bundle v0.3 (what actions/attest-build-provenance writes) and
// the layer annotations cosign writes for the same signature. Its
// trusted_root.json names only this instance, so what it signs never
// verifies against another root. The statement builders ([Build],
// [ContainerGeneratorStatement], [GitHubAttestationStatement],
// [DelegatedStatement]) write provenance as each builder does.
//
// [AttachCosign] writes attestations in cosign's tag layout
// ("sha256-<hex>.att") with cosign's own library, [AttachReferrer] as an
// OCI 1.1 referrer per cosign's bundle specification, and [PushLayout]
// copies an OCI image layout (such as slsa-verifier's recorded container
// test images) into a registry byte for byte, so digests are kept.
package provenancetest
