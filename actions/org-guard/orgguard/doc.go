// Package orgguard is the org-guard gate: it holds an organization's (or a
// repository's) GitHub settings to the desired state written in the
// org-guard section of hub's configuration file, through the REST API
// (go-github).
//
// What it covers: the Actions policy (allowed actions, the selected list,
// the full-length commit SHA pinning requirement, the default workflow
// token permissions, whether workflows may approve pull requests, fork
// pull request approval), branch and tag rulesets matched by name,
// immutable releases, secret scanning push protection, and the paths whose
// changes need a code owner's review.
//
// Three operations: check reads and compares, each difference a finding
// at the configuration line that asks for the setting, naming the API
// path, the field, and the expected and actual values; plan adds the
// requests that would make the settings as desired; apply sends them and
// reads everything back, so a write the server accepted but did not keep
// is a finding too.
//
// A setting the token may not read is never taken as compliant: GitHub
// answers 403 or 404 (or leaves the field out) to a token without the
// permission, and each such answer is a finding naming the permission the
// token needs. Secondary rate limits and server errors are retried a
// bounded number of times, waiting what Retry-After asks; anything else
// that stops the API from answering leaves the gate undecided (exit 3).
package orgguard
