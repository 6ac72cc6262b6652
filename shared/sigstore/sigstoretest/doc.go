// Package sigstoretest runs a private Sigstore inside a test process: a
// GitHub Actions OIDC token endpoint, a Fulcio (v2 signingCert API) and a
// Rekor (v1 log entries API), each an httptest server that follows the real
// service's documented request and response shapes, plus the
// trusted_root.json that names them. The certificate authority's keys and
// certificates come from sigstore-go's virtual Sigstore helpers
// (pkg/testing/ca), the log's entries carry a signed entry timestamp and a
// checkpointed inclusion proof as Rekor's do. The real clients of package
// sigstore talk to it over HTTP, so keyless signing and verification are
// tested end to end without the network.
//
// It checks what the real services check: the token must be one it issued,
// the proof of possession must verify, the log entry's signature must match
// its certificate. It does not verify token signatures or rate-limit.
//
// The Fulcio service's certificates name the token's workflow, issuer and
// ref. Verifiers that read the other claims public-good Fulcio copies from
// a GitHub Actions token (source repository and ref, build signer, runner
// environment, trigger, run) get them from [Sigstore.Issue], which issues
// a certificate for a [Run] directly, and [Sigstore.SignDSSE], which signs
// and logs a DSSE envelope with one, as attestation tools do.
package sigstoretest
