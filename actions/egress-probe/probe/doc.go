// Package probe is the egress-probe gate: a smoke test proving that the
// job's network is default-deny with an allowlist, the control that would
// have kept the secrets lifted by the tj-actions and trivy-action
// compromises of 2025 on the runner.
//
// Each destination is probed layer by layer, each layer with its own
// short timeout: DNS resolution (for a name), TCP connect, TLS handshake
// (https and tls destinations) and an HTTP request (http and https). A
// destination that fails at any layer is blocked, and the layer and the
// error are recorded; one that completes every layer is reachable. The
// gate passes only when every allowed destination is reachable and every
// probe that must not be is blocked. The results go to the evidence
// record.
//
// The TLS handshake does not verify the certificate: the question is
// whether the network lets the connection through, and an interception
// proxy that answers with its own certificate is a reachable path too.
package probe
