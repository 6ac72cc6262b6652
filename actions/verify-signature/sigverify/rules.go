package sigverify

import "github.com/hubgates/hub/shared/finding"

// The rule IDs.
const (
	RuleBundleMissing    = "bundle-missing"
	RuleSignatureInvalid = "signature-invalid"
	RuleSignerUntrusted  = "signer-untrusted"
	RuleClaimMismatch    = "claim-mismatch"
)

// Rules describes every rule verify-signature reports, for SARIF and the
// README.
var Rules = []finding.Rule{
	{ID: RuleBundleMissing, Severity: finding.Critical,
		Summary: "Artifact or image without a signature",
		Help: "The artifact's bundle (<artifact>.sigstore.json) does not exist, or the image has neither a Sigstore " +
			"bundle among its OCI referrers nor a cosign signature tag (sha256-<hex>.sig), so nothing says who made it. " +
			"Sign it with the sign gate (or cosign sign-blob --bundle, cosign sign) and ship the bundle beside the file."},
	{ID: RuleSignatureInvalid, Severity: finding.Critical,
		Summary: "Signature does not verify",
		Help: "The bundle (or cosign signature layer) is malformed, was made over other bytes (the artifact, the bundle " +
			"or a signature annotation was changed after signing), its payload names another image digest (a signature " +
			"moved onto another image), or its certificate, transparency log entry or timestamps do not chain to the trusted root."},
	{ID: RuleSignerUntrusted, Severity: finding.Critical,
		Summary: "Signed by an identity or key that is not trusted",
		Help: "The signature is valid but was made by another identity than certificate-identity (or " +
			"certificate-identity-regexp) with certificate-oidc-issuer, by another key than public-key, or keyless " +
			"where a key was expected (and the reverse)."},
	{ID: RuleClaimMismatch, Severity: finding.Critical,
		Summary: "Certificate's GitHub workflow claims differ from the expected ones",
		Help: "The signing certificate names another repository, ref, trigger or workflow file than the github-* " +
			"inputs require, or does not carry the claim at all: the artifact was signed by another run than the " +
			"one trusted (a pull request's workflow, a branch instead of a release tag)."},
}
