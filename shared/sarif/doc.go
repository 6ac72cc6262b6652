// Package sarif turns hub findings into a SARIF 2.1.0 log that GitHub code
// scanning accepts through github/codeql-action/upload-sarif. It is built on
// github.com/owenrumney/go-sarif/v2: Build returns that library's *Report, so
// callers can still adjust the log before writing it with Marshal or
// WriteFile.
//
// # What code scanning needs
//
// A log holds one run. Code scanning reads:
//
//   - tool.driver.name, and version / semanticVersion, to tell tools apart;
//   - tool.driver.rules: one reportingDescriptor per rule, whose
//     properties["security-severity"] (a "0.0".."10.0" string) places alerts
//     in the critical/high/medium/low bands, whose tags must include
//     "security" for the alert to count as a security alert, and whose
//     help / helpUri are shown on the alert page;
//   - results whose locations[0].physicalLocation.artifactLocation.uri is
//     relative to the repository root (uriBaseId "%SRCROOT%") and whose
//     region, when present, has startLine >= 1;
//   - partialFingerprints, which let alerts survive edits that move them;
//   - run.automationDetails.id, whose prefix up to the last "/" is the
//     analysis category that keeps uploads from different gates apart.
//
// # How findings map
//
// Every finding.Rule becomes a rule in driver.rules, in the order given:
//
//	id, name           Rule.ID
//	shortDescription   Rule.Summary (Rule.ID when empty)
//	fullDescription    Rule.Summary (Rule.ID when empty)
//	help.text          Rule.Help (else Summary), then "See <HelpURI>"
//	help.markdown      Rule.Help (else Summary), then "[More information](<HelpURI>)"
//	helpUri            Rule.HelpURI, when set (must be an absolute URI)
//	defaultConfiguration.level            Rule.Severity.SARIFLevel()
//	properties["security-severity"]       Rule.Severity.SecurityScore()
//	properties["tags"]                    ["security", "supply-chain"]
//	properties["precision"]               "high"
//	properties["problem.severity"]        "error" (high, critical),
//	                                      "warning" (medium) or
//	                                      "recommendation" (low, info)
//
// Every finding.Finding becomes a result, in the order given:
//
//	ruleId, ruleIndex  Finding.Rule and its position in rules
//	level              Finding.Severity.SARIFLevel()
//	message.text       Finding.Message (the rule's Summary, then its ID,
//	                   when the message is empty)
//	locations[0]       artifactLocation {uri: Path, uriBaseId: "%SRCROOT%"}
//	                   and region {startLine: Line, startColumn: Col}
//	partialFingerprints["hubFingerprint/v1"]  Finding.Fingerprint
//	suppressions[0]    when Finding.Suppression is set (a waived finding):
//	                   kind (inSource or external), status "accepted",
//	                   justification (the waiver's reason), location (the
//	                   waiver's Source "path:line", an empty location when
//	                   Source is empty), guid (a version-5 UUID of the
//	                   finding and its waiver, stable across runs) and
//	                   properties.expires (the waiver's last day)
//
// The region is left out when Line is 0 (unknown), and startColumn is left
// out when Col is 0, so code scanning never sees a region without a valid
// startLine. A finding with no Path (one about the repository as a whole,
// such as a missing policy file) gets no location at all, which the SARIF
// schema allows but code scanning does not: it rejects the whole upload
// with "locationFromSarifResult: expected at least one location". Logs
// meant for upload-sarif should therefore either give every finding a Path
// or use WithDefaultPath, which places pathless findings at a repository
// file (without a region). A finding with no Fingerprint gets no
// partialFingerprints, and upload-sarif computes its own.
//
// A waived finding stays in the log: SARIF consumers (and the evidence
// bundle) see what was accepted, where the waiver is written and until
// when. Code scanning does not reliably close alerts for suppressed
// results (its supported SARIF subset does not list suppressions), so the
// alert may stay open there; the gate's verdict is what ignores it.
//
// Build rejects, with an error naming the input, what code scanning would
// reject or misread: a finding whose rule is not among the rules, a Path
// that is absolute, contains ".." segments or backslashes, a negative Line
// or Col, a severity out of range, duplicate or empty rule IDs, and bad
// options.
package sarif
