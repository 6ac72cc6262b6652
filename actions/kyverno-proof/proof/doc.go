// Package proof is the kyverno-proof gate: a deny-by-default proof for
// Kyverno admission policies, offline, with no cluster.
//
// It reads ClusterPolicy and Policy documents and checks how they are set
// to act (validate and verifyImages rules in Enforce, the webhook failing
// closed, no exclude broader than an allowlist, background scanning and
// admission on), then has Kyverno's own engine answer a set of probe
// admission requests: pods that must be denied (an image by tag only,
// without a valid signature, without provenance, without an SBOM
// attestation, from a registry outside the allowlist, a privileged
// container, a hostPath mount) and a reference pod that must be admitted
// (a signed, attested image by digest). Each probe's verdict, and the
// rules that decided it, go to the summary and the evidence.
//
// Kyverno's engine cannot share hub's module graph, so it runs as a second
// binary, kyverno-engine (the nested module actions/kyverno-proof/engine),
// built into the gate's image; the gate talks to it in JSON over standard
// input and output.
package proof
