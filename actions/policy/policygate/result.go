package policygate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

// result turns the report into the gate's result: findings, verdict,
// outputs and the summary's details.
func (r *Report) result(opts options) *gate.Result {
	res := &gate.Result{
		Outputs:  map[string]string{},
		Read:     r.Read,
		Counters: map[string]int64{"files": int64(r.files), "documents": int64(r.documents)},
	}
	passed, failed, skipped := 0, 0, 0
	if r.tests != nil {
		passed, failed, skipped = r.tests.counts()
		for _, t := range r.tests.results {
			if !t.failed {
				continue
			}
			msg := "policy unit test " + t.name + " failed"
			if t.err != "" {
				msg += ": " + t.err
			}
			res.Findings = append(res.Findings, finding.Finding{
				Rule: RuleTestFailed, Severity: finding.High, Message: msg, Path: t.file, Line: t.line,
				Fingerprint: finding.Fingerprint(RuleTestFailed, t.file, t.name),
			})
		}
		res.Outputs[outputCoverage] = formatCoverage(r.tests.coverage.Coverage)
		res.Counters["tests"] = int64(len(r.tests.results))
	}
	res.Outputs[outputTestsPassed] = strconv.Itoa(passed)
	res.Outputs[outputTestsFailed] = strconv.Itoa(failed)

	denials, warnings, exceptions := 0, 0, 0
	for _, m := range r.messages {
		if m.exception {
			exceptions++
			continue
		}
		rule, sev := RuleDeny, finding.High
		if m.kind == kindWarning {
			warnings++
			rule, sev = RuleWarn, finding.Medium
			if opts.failOnWarn {
				sev = finding.High
			}
		}
		if m.kind == kindFailure || opts.failOnWarn {
			denials++
		}
		text := m.text + " (" + m.rule + ")"
		key := m.rule + "\x00" + m.text + "\x00" + strconv.Itoa(m.document)
		res.Findings = append(res.Findings, finding.Finding{
			Rule: rule, Severity: sev, Message: text, Path: m.file, Line: m.line,
			Fingerprint: finding.Fingerprint(rule, m.file, key),
		})
	}
	res.Outputs[outputDenials] = strconv.Itoa(denials)
	res.Outputs[outputWarnings] = strconv.Itoa(warnings)
	res.Outputs[outputDocuments] = strconv.Itoa(r.documents)
	res.Counters["denials"], res.Counters["warnings"] = int64(denials), int64(warnings)

	switch {
	case failed > 0:
		res.Denied = true
		res.Reason = fmt.Sprintf("%d of %d policy unit tests failed: the inputs were not evaluated.", failed, passed+failed)
	case denials > 0:
		res.Denied = true
		res.Reason = fmt.Sprintf("%d denial%s from %d rules over %d documents in %d files.", denials, plural(denials), r.rules, r.documents, r.files)
	case r.files == 0:
		res.Reason = fmt.Sprintf("%d policy unit tests passed; no input files to evaluate.", passed)
	default:
		res.Reason = fmt.Sprintf("%d rules over %d documents in %d files: nothing denied.", r.rules, r.documents, r.files)
	}
	if warnings > 0 && !opts.failOnWarn {
		res.Reason += fmt.Sprintf(" %d warning%s.", warnings, plural(warnings))
	}
	if exceptions > 0 {
		res.Reason += fmt.Sprintf(" %d rule%s excepted by exception rules.", exceptions, plural(exceptions))
	}
	res.Details = r.details(passed, failed, skipped, exceptions)
	return res
}

// details is the summary's Markdown after the findings: the tests with
// coverage, then what was evaluated.
func (r *Report) details(passed, failed, skipped, exceptions int) string {
	var b strings.Builder
	if r.tests != nil {
		fmt.Fprintf(&b, "### Policy unit tests\n\n%d passed, %d failed", passed, failed)
		if skipped > 0 {
			fmt.Fprintf(&b, ", %d skipped", skipped)
		}
		fmt.Fprintf(&b, "; coverage %s%% of the policy's lines.\n\n", formatCoverage(r.tests.coverage.Coverage))
		b.WriteString("| File | Coverage | Lines not covered |\n|---|---|---|\n")
		files := make([]string, 0, len(r.tests.coverage.Files))
		for f := range r.tests.coverage.Files {
			files = append(files, f)
		}
		slices.Sort(files)
		for _, f := range files {
			fr := r.tests.coverage.Files[f]
			var gaps []string
			for _, rg := range fr.NotCovered {
				if rg.Start.Row == rg.End.Row {
					gaps = append(gaps, strconv.Itoa(rg.Start.Row))
				} else {
					gaps = append(gaps, fmt.Sprintf("%d-%d", rg.Start.Row, rg.End.Row))
				}
			}
			fmt.Fprintf(&b, "| %s | %s%% | %s |\n", gate.MarkdownCode(f), formatCoverage(fr.Coverage), strings.Join(gaps, ", "))
		}
		for _, t := range r.tests.results {
			if t.failed {
				fmt.Fprintf(&b, "\n❌ %s", gate.MarkdownCode(t.name))
				if t.err != "" {
					fmt.Fprintf(&b, ": %s", gate.MarkdownText(t.err))
				}
			}
		}
		b.WriteString("\n\n")
	}
	if r.files > 0 {
		ns := make([]string, len(r.namespaces))
		for i, n := range r.namespaces {
			ns[i] = gate.MarkdownCode(n)
		}
		fmt.Fprintf(&b, "Evaluated %d rules of %s over %d documents in %d files.", r.rules, strings.Join(ns, ", "), r.documents, r.files)
		if exceptions > 0 {
			fmt.Fprintf(&b, " %d rule results were excepted by exception rules.", exceptions)
		}
		b.WriteString("\n")
	}
	return b.String()
}
