// Package provenance verifies SLSA provenance for artifacts against a
// policy: the builder that made it, the source repository it was built
// from, and the tag or branch and workflow inputs of that build.
//
// Two paths apply the same [Policy]:
//
//   - [Offline] verifies Sigstore bundles (SLSA GitHub generator
//     provenance, GitHub artifact attestations from
//     actions/attest-build-provenance) with sigstore-go against a trusted
//     root read from a file, and makes no network call: the certificate
//     chain, the transparency log inclusion and the signed entry timestamp
//     all come from the bundle and the root.
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
package provenance
