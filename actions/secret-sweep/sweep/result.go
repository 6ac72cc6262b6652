package sweep

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/waiver"
)

// Findings turns what the sweep found into findings. The message names the
// format, its public prefix and the place; the fingerprint is a hash of
// rule, place and the value's SHA-256, so the same secret in the same place
// keeps its identity across runs (for waivers) while the value cannot be
// read back from it.
func (r *Report) Findings() []finding.Finding {
	out := make([]finding.Finding, 0, len(r.Found))
	for _, f := range r.Found {
		sev := finding.High
		if f.Rule == RuleGiven || f.Verified {
			sev = finding.Critical
		}
		what := f.Description
		if f.Prefix != "" {
			what += " (" + f.Prefix + "…)"
		}
		if f.Verified {
			what += ", checksum verified"
		}
		var where string
		switch f.Location.Kind {
		case KindEnviron:
			where = fmt.Sprintf("in the environment of process %d (%s), variable %s", f.Location.PID, f.Location.Process, f.Location.Variable)
		case KindCmdline:
			where = fmt.Sprintf("on the command line of process %d (%s)", f.Location.PID, f.Location.Process)
		}
		out = append(out, finding.Finding{
			Rule: f.Rule, Severity: sev, Path: f.Location.Path, Line: f.Line, Col: f.Col,
			Message:     strings.Join(strings.Fields(what+" "+where), " ") + " [" + f.Kind + "]",
			Fingerprint: finding.Fingerprint(f.Rule, f.Location.Path, f.Kind+"\x00"+hex.EncodeToString(f.Digest[:])),
		})
	}
	return out
}

// result applies the waivers and turns the report into the gate's result.
func (r *Report) result(setup *waiver.Setup) *gate.Result {
	fs, meta := setup.Policy.Apply(r.Findings(), setup.Gate.Waivers, nil)
	found, waived := 0, 0
	for _, f := range fs {
		if f.Suppressed() {
			waived++
		} else {
			found++
		}
	}
	res := &gate.Result{
		Findings: append(fs, setup.Gate.Adjust(meta)...),
		Read:     setup.Read,
		Outputs: map[string]string{
			outputSecretsFound:   itoa(found),
			outputFilesSwept:     itoa(r.Files),
			outputProcessesSwept: itoa(r.Processes),
			outputUnreadable:     itoa(r.Unreadable),
		},
		Counters: map[string]int64{
			"files": int64(r.Files), "processes": int64(r.Processes), "unreadable": int64(r.Unreadable),
			"secrets": int64(found), "waived": int64(waived), "checksum_rejected": int64(r.ChecksumRejected),
		},
		Facts: r,
	}
	swept := fmt.Sprintf("%d files and %d processes swept", r.Files, r.Processes)
	if found > 0 {
		res.Denied = true
		res.Reason = fmt.Sprintf("%d secret%s readable by later steps; %s.", found, plural(found), swept)
	} else {
		res.Reason = fmt.Sprintf("No secret found; %s.", swept)
	}
	if waived > 0 {
		res.Reason += fmt.Sprintf(" %d waived.", waived)
	}
	res.Details = r.details()
	return res
}

// details is the summary's table of what was swept and passed over.
func (r *Report) details() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Scope %s: %d gitleaks rules and %d given secret values.\n\n", gate.MarkdownCode(r.Scope), r.Rules, r.KnownSecrets)
	b.WriteString("| Swept | Count |\n|---|---|\n")
	rows := []struct {
		name string
		n    int
	}{
		{"files", r.Files}, {"processes (environment and command line)", r.Processes},
		{"unreadable (permission, or gone)", r.Unreadable}, {"files over max-file-size, skipped", r.SkippedLarge},
		{"binary files, skipped", r.SkippedBinary}, {"symbolic links, not followed", r.Links},
		{"runner variables passed over by name", r.RunnerVariables},
		{"token-shaped strings whose checksum failed, not reported", r.ChecksumRejected},
	}
	for _, row := range rows {
		fmt.Fprintf(&b, "| %s | %d |\n", row.name, row.n)
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
