// Command slsa-verifier is verify-provenance's second engine: slsa-verifier
// v2.7.1 behind a JSON protocol, built from this nested module, which pins
// the dependency set slsa-verifier compiles with (sigstore-go v0.6.2,
// cosign v2.4.1, sigstore v1.8). The gates' module moved to sigstore-go v1
// (Rekor v2, newer trusted roots), where slsa-verifier's verifiers package
// does not compile; keeping it in a module of its own lets both live, and
// hub-image puts this binary beside the gate in the verify-provenance
// image as /slsa-verifier.
//
// It reads one [Request] as JSON on standard input, calls slsa-verifier's
// VerifyArtifact, VerifyGithubAttestation or VerifyImage, and writes one
// [Response] on standard output. A verdict is data, not an exit status:
// the process exits 0 whenever it wrote a response, and 2 when the request
// could not be read.
//
// slsa-verifier fetches the Sigstore trusted root through TUF and offers
// no option for a local one. With --trusted-root FILE the root is read
// from the file instead, so the same engine runs offline (the agreement
// test with the gate's own engine uses this).
package main
