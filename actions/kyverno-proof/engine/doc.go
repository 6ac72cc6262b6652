// Command kyverno-engine evaluates Kyverno policies with Kyverno's own
// engine against a set of probe admission requests, offline: the second
// binary of the kyverno-proof gate's image. It reads one JSON request on
// standard input and writes one JSON response on standard output (see
// protocol.go); the gate builds the request, and turns the response into
// findings.
//
// It lives in a module of its own because Kyverno's module graph
// (Kubernetes libraries, cosign v3, sigstore-go v1.3) cannot share hub's:
// in hub's graph it raises sigstore-go past what slsa-verifier v2.7.1 and
// hub's shared/sigstore compile against.
//
// Image verification runs for real: the probe images, their cosign
// signatures and their in-toto attestations (SLSA provenance, CycloneDX
// SBOM) are written to go-containerregistry's registry, served in this
// process, and every registry host the policies name is routed to it. The
// probes are signed with a key made for the run, so every attestor of the
// policies (keys, keyless identities, certificates) is replaced by that
// key, with the transparency log and SCT checks off, which need the
// network; the response lists each replacement. What is proved is that the
// policies deny an image that no attestor signed, that lacks an
// attestation, or that names no digest, and admit one that has them all.
package main
