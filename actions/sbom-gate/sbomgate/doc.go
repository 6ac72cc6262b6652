// Package sbomgate is hub's sbom-gate: three SBOM controls behind one
// operation input.
//
//   - parity: the SBOMs of the platforms of one release (one file per
//     platform) must list the same components. Components are compared by
//     their normalized package URL with its version, the platform
//     qualifiers (arch, os, distro, platform) set apart; a package missing
//     on some platforms is a parity-missing finding, one at different
//     versions a parity-version finding.
//   - diff: a base and a head SBOM are paired by versionless package URL:
//     added, removed, upgraded and downgraded components and licence
//     changes. The deny input chooses which of downgrade, license and
//     vulnerable deny. A Dependabot or Renovate pull request is recognised
//     from the event, and the summary says whether the diff shows the
//     update its title names.
//   - risk: every vulnerability of the scanner reports gets a risk score
//     ([Score]); each one at or above risk-threshold must be covered by a
//     signed VEX statement (not_affected with a justification, or fixed)
//     for the product and the package, else risk-blocking denies.
//
// Readers: [ParseSBOM] (SPDX 2.2/2.3 JSON through spdx/tools-golang,
// CycloneDX JSON through cyclonedx-go, also inside in-toto statements and
// DSSE envelopes), [ParseReport] (grype, trivy, osv-scanner, CycloneDX
// vulnerabilities), [ParseKEV], [ParseEPSS], [ParseVEX] (OpenVEX through
// go-vex, CycloneDX VEX, CSAF VEX). Package URLs are read with
// packageurl-go and normalized by [ParsePURL].
//
// VEX counts only when signed: a Sigstore bundle beside the document, or
// a Sigstore bundle of an in-toto attestation with an OpenVEX predicate
// whose subject is the SBOM under review, verified through
// [SignatureVerifier] (shared/sigstore: a key, or keyless identities
// against a trusted root). Unsigned and wrongly signed documents are
// findings (vex-unsigned, vex-untrusted) and their statements are ignored.
// Waivers in .github/hub.yml apply to parity and diff findings (their
// fingerprint is the versionless package URL); they may not name the
// vulnerability rules, which only signed VEX waives.
package sbomgate
