package sentinel

import "github.com/hubgates/hub/shared/finding"

// The rule IDs.
const (
	RuleUnsignedCache    = "unsigned-cache"
	RuleSignatureInvalid = "signature-invalid"
	RuleSignerUntrusted  = "signer-untrusted"
	RuleManifestInvalid  = "manifest-invalid"
	RuleContentMismatch  = "content-mismatch"
	RuleModeMismatch     = "mode-mismatch"
	RuleMissingEntry     = "missing-entry"
	RuleUnexpectedEntry  = "unexpected-entry"
	RuleSymlinkEscape    = "symlink-escape"
	RuleUnsupportedFile  = "unsupported-file"
)

const helpBase = "https://github.com/hubgates/hub/blob/main/actions/cache-sentinel/README.md#"

// Rules describes every rule cache-sentinel reports, for SARIF and the
// README.
var Rules = []finding.Rule{
	{ID: RuleUnsignedCache, Severity: finding.Critical,
		Summary: "Cache restored without a signed manifest",
		Help: "The cache paths hold files but the manifest or its Sigstore bundle is missing, so nothing says who " +
			"wrote them. Nothing in the cache is trusted: the gate denies and, with empty-untrusted (the default), " +
			"empties the cache paths so the job rebuilds. Seal every cache you save (operation: seal) and " +
			"cache the manifest and bundle with it."},
	{ID: RuleSignatureInvalid, Severity: finding.Critical,
		Summary: "Manifest signature does not verify",
		Help: "The bundle is malformed, was made for other bytes (the manifest was edited after signing), or its " +
			"certificate or transparency log entry does not chain to the trusted root. Nothing in the cache is " +
			"trusted; the cache paths are emptied unless empty-untrusted is false."},
	{ID: RuleSignerUntrusted, Severity: finding.Critical,
		Summary: "Manifest signed by an identity this run does not trust",
		Help: "The signature is valid but was made by another identity: a fork's workflow, a pull request's ref, " +
			"another repository, another OIDC issuer, or another key. By default only this repository's workflows " +
			"on a protected ref are trusted (see certificate-identity-regexp). The cache is treated as unsigned."},
	{ID: RuleManifestInvalid, Severity: finding.Critical,
		Summary: "Manifest is malformed or does not describe this cache",
		Help: "The signed manifest is truncated or malformed, uses an unknown format version, names a path outside " +
			"the cache paths (\"..\", an absolute path), was sealed for another repository, cache key or cache " +
			"paths, by a less trusted domain, or too long ago. Nothing in the cache is trusted."},
	{ID: RuleContentMismatch, Severity: finding.High,
		Summary: "File content differs from the manifest",
		Help: "The file's size or BLAKE3 digest is not what was sealed (or it could not be read): it was changed " +
			"after sealing. It is moved to the quarantine folder (or deleted) before anything reads it."},
	{ID: RuleModeMismatch, Severity: finding.High,
		Summary: "Entry mode or type differs from the manifest",
		Help: "The entry's permission bits (an executable bit added, setuid) or its type (a file turned into a " +
			"directory or a link) changed after sealing. It is quarantined."},
	{ID: RuleMissingEntry, Severity: finding.Medium,
		Summary: "Sealed entry missing from the cache",
		Help: "The manifest lists an entry the restored cache does not have. Nothing untrusted is left, but the " +
			"cache is incomplete; tools that trust their cache (the Go module cache) may fail, so the gate denies."},
	{ID: RuleUnexpectedEntry, Severity: finding.High,
		Summary: "Entry in the cache that the manifest does not list",
		Help: "Something added a file, directory or link after sealing (or it was excluded at seal). It is " +
			"quarantined; a directory is moved with everything in it."},
	{ID: RuleSymlinkEscape, Severity: finding.Critical,
		Summary: "Symbolic link points outside its cache path",
		Help: "A link that is absolute or resolves outside its cache path would let a restored cache read or write " +
			"elsewhere on the runner. Seal refuses to sign such a tree; verify quarantines the link whatever the " +
			"manifest says."},
	{ID: RuleUnsupportedFile, Severity: finding.High,
		Summary: "FIFO, socket or device in the cache",
		Help: "Only regular files, directories and symbolic links can be sealed. Seal refuses the tree; verify " +
			"quarantines the entry."},
}

func init() {
	for i := range Rules {
		Rules[i].HelpURI = helpBase + Rules[i].ID
	}
}

// severityOf returns the declared severity of rule.
func severityOf(rule string) finding.Severity {
	for _, r := range Rules {
		if r.ID == rule {
			return r.Severity
		}
	}
	return finding.High
}

// newFinding builds a finding of rule about the workspace-relative path
// rel; key distinguishes findings of one rule on one path in the
// fingerprint.
func newFinding(rule, rel, key, msg string) finding.Finding {
	return finding.Finding{Rule: rule, Severity: severityOf(rule), Message: msg, Path: rel,
		Fingerprint: finding.Fingerprint(rule, rel, key)}
}
