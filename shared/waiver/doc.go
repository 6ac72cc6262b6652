// Package waiver is hub's configuration file and its waivers, shared by
// every gate that reports findings: rules can be turned off or given
// another severity, and a finding can be accepted for a stated reason until
// a stated date. A waived finding is kept, not dropped: it carries a
// finding.Suppression, so the summary, the evidence and SARIF (as a
// "suppressions" entry) still show it, but it no longer counts toward a
// deny.
//
// # The configuration file
//
// One YAML file for all gates, .github/hub.yml by default ([DefaultPath]):
//
//	version: 1
//	workflow-audit:
//	  rules:
//	    invalid-workflow:
//	      enabled: false          # drop this rule's findings
//	    unpinned-images:
//	      severity: medium        # report them at another severity
//	  waivers:
//	    - rule: unpinned-uses
//	      path: .github/workflows/release.yml
//	      line: 14                # optional
//	      job: publish            # optional: findings inside that job
//	      reason: "the vendor publishes no SHA; pinned by digest upstream"
//	      expires: 2026-03-31
//	sarif-gate:
//	  waivers:
//	    - fingerprint: 5b7c0e9d8a1f2c3b4d5e6f708192a3b4
//	      reason: "false positive, see issue 812"
//	      expires: 2026-02-15
//
// The file is read strictly: "version: 1" is required; top-level keys are
// "version" and the names in [Gates]; a section holds "rules" and
// "waivers"; a rule setting holds "enabled" (true or false) and "severity"
// (info, low, medium, high, critical), not both with enabled false; a
// waiver holds the keys below. An unknown or repeated key, a value of the
// wrong kind, anchors and aliases, and several YAML documents are errors.
// Every problem is reported at once, each as a [*ParseError] naming the
// file and line and quoting the bad value; a gate maps them to exit 2.
//
// # Waivers
//
// A waiver selects findings with any of these, all of which must match,
// and at least one of rule, path and fingerprint:
//
//   - rule: a rule id, or a pattern in which "*" stands for any characters;
//   - path: a doublestar glob over repository-relative paths
//     (".github/workflows/*.yml", "vendor/**"), forward slashes, no "..";
//   - line: a line number (needs path);
//   - job: a workflow job id (needs path); matches the findings whose line
//     lies inside that job, using the [JobSpan]s the gate gives Apply;
//   - fingerprint: the finding's fingerprint, which survives edits that
//     move lines.
//
// reason (why the finding is accepted) and expires (the last day the
// waiver holds, YYYY-MM-DD) are mandatory. A waiver holds until the end of
// its expires day in UTC: on 2026-03-31 it still waives, from 2026-04-01
// 00:00 UTC it does not ([Policy.Expired]).
//
// A waiver whose expires date is more than the policy's maximum days after
// today (UTC) is refused: in the file that is an error wrapping
// [ErrTooLong] that names the file, the line, the date and the latest date
// accepted. The maximum is [DefaultMaxDays] unless the gate's
// max-waiver-days input says otherwise; a waiver expiring exactly that many
// days ahead is accepted.
//
// A waiver that has already expired is not an error, since time passing
// must not break a build that was green: it stops waiving, so the
// findings it matched count again, and it is reported as an expired-waiver
// finding (medium) at the line it is written. A live waiver that matches no
// finding is reported as unused-waiver (medium, a warning). These findings
// are never waived themselves, but a section's rules settings may disable
// them or change their severity.
//
// # Inline waivers
//
// A scanned file can waive its own findings with a comment:
//
//   - uses: vendor/action@v2 # hub: ignore[unpinned-uses] expires=2026-03-31 reason=vendor publishes no SHA
//
//     # hub: ignore[unpinned-uses,unpinned-images] expires=2026-03-31 reason="one reason, quoted"
//
//   - uses: docker://vendor/tool:2
//
// A comment at the end of a line waives that line; on its own line it
// waives the next line that is neither blank nor a comment. reason is
// either a double-quoted string (Go escapes) or the rest of the line.
// Rule ids are exact (no patterns). An inline waiver that cannot be accepted
// (no rule, reason or expires, a bad date, an unknown key, too long,
// nothing to waive) waives nothing and is an invalid-waiver finding (high)
// at the comment: inline waivers live in the scanned content, so their
// problems are findings, not bad input. See [Policy.ParseInline] for which
// "#" start a comment in YAML and in Dockerfiles.
//
// # Use from a gate
//
// A gate declares [Inputs] (config, max-waiver-days) and adds [Rules] to
// its Spec.Rules, then in its run:
//
//	setup, err := waiver.FromInputs(in, "my-gate", myRules) // exit 2 on a bad file
//	fs = setup.Gate.Adjust(fs)                             // disable, remap
//	inline, invalid := setup.Policy.ParseInline(path, src, waiver.SyntaxYAML)
//	fs, meta := setup.Policy.Apply(fs, append(inline, setup.Gate.Waivers...), spans)
//	fs = append(fs, setup.Gate.Adjust(append(invalid, meta...))...)
//	denied := finding.CountAtLeast(fs, failOn) > 0        // waived ones do not count
//
// The runtime (package gate) then writes waived findings to their own
// summary section and to SARIF with a suppression of kind inSource or
// external.
package waiver
