// Package provenance verifies SLSA provenance for artifacts and OCI
// images against a policy: the builder that made it, the source
// repository it was built from, and the tag or branch and workflow inputs
// of that build.
//
// Two paths apply the same [Policy]:
//
//   - [Offline] verifies Sigstore bundles (SLSA GitHub generator
//     provenance, GitHub artifact attestations from
//     actions/attest-build-provenance) with sigstore-go against a trusted
//     root read from a file, and calls no Sigstore service: the
//     certificate chain, the transparency log inclusion and the signed
//     entry timestamp all come from the bundle and the root.
//   - [Online] hands the provenance and the policy, translated to
//     slsa-verifier's options by [Policy.SLSAOptions], to slsa-verifier
//     v2.7.1, which fetches the Sigstore trusted root through TUF and so
//     needs the network.
//
// The offline path checks, in order: the bundle verifies against the
// trusted root; the certificate was issued for a GitHub Actions token
// (issuer https://token.actions.githubusercontent.com) to the expected
// builder workflow (its subject alternative name); the artifact's digest is
// one of the in-toto statement's subjects; then [Policy.Check] compares the
// [Claims] read from the verified certificate and statement with the
// policy, using slsa-verifier's own helpers for builder IDs, git refs and
// versioned tags so both paths decide alike. Failures wrap the sentinel
// errors of this package.
//
// An image is resolved to its digest once, and [FindAttestations] reads
// the provenance attached to that digest only: cosign's
// "sha256-<hex>.att" tag, whose DSSE layers are assembled into Sigstore
// bundles from their annotations, and Sigstore bundles among the OCI
// referrers. Each must name the image's digest as its subject
// ([Offline.VerifyImage]); the slsa-verifier path hands the image to
// slsa-verifier's VerifyImage and the referrer bundles to its
// VerifyGithubAttestation ([Online.VerifyImage]).
//
// Delegated builders of the SLSA GitHub generator's BYOB framework (the
// Maven and Gradle builders, a project's own builder) sign through a
// delegator workflow ([DelegatorGeneric], [DelegatorLowPermsGeneric]): for
// artifacts, the certificate may name a delegator while the statement's
// builder.id names the builder the policy expects, under slsa-verifier's
// rules for them. Images and GitHub artifact attestations accept no
// delegator, as slsa-verifier does not.
package provenance
