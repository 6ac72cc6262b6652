package gate

import (
	"fmt"
	"maps"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/telemetry"
	"github.com/hubgates/hub/shared/version"
)

// emit reports the run everywhere it goes: evidence first (its path is an
// output), then outputs, the log, annotations, summary and telemetry. A
// failure to leave evidence or outputs turns the run undecided, since later
// steps and promotion rely on them; a failure to write the summary or to
// append telemetry is reported but changes nothing.
func (r *run) emit() {
	defer r.print.Close()
	if err := r.writeEvidence(); err != nil {
		r.fail(Undecided, err)
		r.result = nil
		_ = r.writeEvidence()
	}
	local := r.proc.Getenv("GITHUB_OUTPUT") == ""
	if !local {
		if err := r.writeOutputs(); err != nil {
			r.fail(Undecided, err)
		}
	}
	r.writeLog()
	if local {
		_ = r.writeOutputs() // printed, after the log a person reads first
	}
	if r.env.InActions {
		r.annotate()
	}
	if err := r.writeSummary(); err != nil {
		r.print.Error(r.gate.Spec.Name + ": warning: " + err.Error())
	}
	if err := r.appendTelemetry(); err != nil {
		r.print.Error(r.gate.Spec.Name + ": warning: " + err.Error())
	}
}

func (r *run) findings() []finding.Finding {
	if r.result == nil {
		return nil
	}
	return r.result.Findings
}

// active returns the findings that are not waived: the ones the verdict,
// the findings output, annotations and telemetry count. It is computed
// once: a run can have hundreds of thousands.
func (r *run) active() []finding.Finding {
	r.split()
	return r.activeFs
}

// waived returns the findings a waiver accepted; they are reported in
// their own summary section, in the log and in SARIF with a suppression.
func (r *run) waived() []finding.Finding {
	r.split()
	return r.waivedFs
}

// split sorts the findings into active and waived, once; the result does
// not change after accept.
func (r *run) split() {
	if r.splitDone {
		return
	}
	r.splitDone = true
	fs := r.findings()
	n := 0
	for _, f := range fs {
		if f.Suppressed() {
			n++
		}
	}
	if n == 0 {
		r.activeFs = fs
		return
	}
	r.activeFs = make([]finding.Finding, 0, len(fs)-n)
	r.waivedFs = make([]finding.Finding, 0, n)
	for _, f := range fs {
		if f.Suppressed() {
			r.waivedFs = append(r.waivedFs, f)
		} else {
			r.activeFs = append(r.activeFs, f)
		}
	}
}

// countBySeverity returns "2 high, 1 medium" style counts, worst first.
func countBySeverity(fs []finding.Finding) (map[string]int, string) {
	counts := map[string]int{}
	for _, f := range fs {
		counts[f.Severity.String()]++
	}
	var parts []string
	sev := finding.Severities()
	for i := len(sev) - 1; i >= 0; i-- {
		if n := counts[sev[i].String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev[i]))
		}
	}
	return counts, strings.Join(parts, ", ")
}

// headline is the one-line verdict for the log and the summary.
func (r *run) headline() string {
	name := r.gate.Spec.Name
	switch r.code {
	case BadInput:
		return name + ": bad input"
	case Undecided:
		return name + ": could not decide"
	}
	fs := r.active()
	_, by := countBySeverity(fs)
	s := fmt.Sprintf("%s: %s, %d finding%s", name, r.verdict(), len(fs), plural(len(fs)))
	if by != "" {
		s += " (" + by + ")"
	}
	if n := len(r.waived()); n > 0 {
		s += fmt.Sprintf(", %d waived", n)
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// maxErrorLines bounds the lines an error prints in the log; the evidence
// keeps the whole message.
const maxErrorLines = 50

// writeLog prints the findings and the verdict: the part of the log a
// reader of a failed step looks at first. At most max-log-findings
// findings are printed, then a line counting the rest.
func (r *run) writeLog() {
	fs := r.findings()
	limit := r.intInput(InputMaxLogFindings, defaultMaxLogFindings)
	for i, f := range fs {
		if i == limit {
			r.print.Line(fmt.Sprintf("…and %d more finding%s not shown here; the step summary, the SARIF log and the evidence list every one", len(fs)-limit, plural(len(fs)-limit)))
			break
		}
		if sup := f.Suppression; sup != nil {
			r.print.Line(fmt.Sprintf("%s (waived until %s by %s: %s)", f, sup.Expires, sup.Source, sup.Justification))
			continue
		}
		r.print.Line(f.String())
	}
	if r.err != nil {
		lines := splitLines(r.err.Error())
		for i, line := range lines {
			if i == maxErrorLines {
				r.print.Error(fmt.Sprintf("%s: …and %d more lines; the evidence holds the whole message", r.gate.Spec.Name, len(lines)-maxErrorLines))
				break
			}
			r.print.Error(r.gate.Spec.Name + ": " + line)
		}
	}
	r.print.Line(r.headline())
	if r.result != nil && r.result.Reason != "" {
		r.print.Line(r.result.Reason)
	}
	if r.mode == "warn" && r.result != nil && r.result.Denied {
		r.print.Line("warn mode: enforce would have failed this step with exit 1; it passes")
	}
	if r.sarifRel != "" {
		r.print.Line("SARIF written to " + r.sarifRel)
	}
	if r.evidence != "" {
		r.print.Line("evidence written to " + r.env.Rel(r.evidence))
	}
}

// intInput returns an Int input's value, or def when the inputs could not
// be parsed.
func (r *run) intInput(name string, def int) int {
	if r.inputs != nil {
		if n, ok := r.inputs.values[name].(int); ok {
			return n
		}
	}
	return def
}

// annotate emits workflow-command annotations, worst first, at most
// max-annotations of them, then one notice counting the rest.
func (r *run) annotate() {
	if r.err != nil {
		r.action.Errorf("%s", annotationText(r.redact(r.headline()+": "+strings.ReplaceAll(r.err.Error(), "\n", "; "))))
	}
	// A waived finding needs no one's attention on the diff. Worst first:
	// the indexes are sorted, not the findings, which may be many.
	fs := r.active()
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return fs[order[i]].Severity > fs[order[j]].Severity })
	limit := r.intInput(InputMaxAnnotations, 10)
	for i, k := range order {
		f := fs[k]
		if i == limit {
			r.action.Noticef("%s: and %d more finding%s not annotated; see the step summary and the SARIF log", r.gate.Spec.Name, len(fs)-limit, plural(len(fs)-limit))
			break
		}
		fields := map[string]string{"title": r.gate.Spec.Name + ": " + f.Rule}
		if f.Path != "" {
			fields["file"] = f.Path
			if f.Line > 0 {
				fields["line"] = strconv.Itoa(f.Line)
				if f.Col > 0 {
					fields["col"] = strconv.Itoa(f.Col)
				}
			}
		}
		a := r.action.WithFieldsMap(fields)
		msg := annotationText(r.redact(f.Message))
		switch {
		case f.Severity >= finding.High:
			a.Errorf("%s", msg)
		case f.Severity == finding.Medium:
			a.Warningf("%s", msg)
		default:
			a.Noticef("%s", msg)
		}
	}
}

// outputValues are every output this run sets, common ones included.
func (r *run) outputValues() [][2]string {
	out := [][2]string{{OutputVerdict, r.verdict()}, {OutputFindings, strconv.Itoa(len(r.active()))}}
	if r.evidence != "" {
		out = append(out, [2]string{OutputEvidenceFile, r.env.Rel(r.evidence)})
	}
	if r.sarifRel != "" {
		out = append(out, [2]string{OutputSARIFFile, r.sarifRel})
	}
	if r.result != nil {
		names := make([]string, 0, len(r.result.Outputs))
		for k := range r.result.Outputs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			out = append(out, [2]string{k, r.result.Outputs[k]})
		}
	}
	return out
}

// writeOutputs sets the run's outputs: in the GITHUB_OUTPUT file in
// GitHub Actions, as "name=value" lines in the log elsewhere.
func (r *run) writeOutputs() error {
	kvs := r.outputValues()
	for i := range kvs {
		kvs[i][1] = r.redact(kvs[i][1])
	}
	if path := r.proc.Getenv("GITHUB_OUTPUT"); path != "" {
		return appendOutputs(path, kvs)
	}
	// Locally a multi-line value prints one line per line after its name.
	for _, kv := range kvs {
		for i, line := range strings.Split(kv[1], "\n") {
			if i == 0 {
				line = kv[0] + "=" + line
			}
			r.print.Line(line)
		}
	}
	return nil
}

func (r *run) writeSummary() error {
	path := r.proc.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	return appendSummary(path, r.redact(r.summary()))
}

func (r *run) record() evidence.Record {
	rec := evidence.Record{
		SchemaVersion: evidence.SchemaVersion,
		Gate:          r.gate.Spec.Name,
		Version:       version.Version,
		Mode:          r.mode,
		Verdict:       r.verdict(),
		ExitCode:      int(r.code),
		Findings:      r.findings(),
		Repository:    r.env.Repository,
		SHA:           r.env.SHA,
		Ref:           r.env.Ref,
		RunID:         r.env.RunID,
		Started:       r.started.UTC(),
		Finished:      r.finished.UTC(),
	}
	if r.inputs != nil {
		rec.Inputs = r.inputs.Redacted()
	}
	if r.err != nil {
		rec.Error = r.redact(r.err.Error())
	}
	if r.result != nil {
		rec.Reason = r.result.Reason
		rec.Read = r.result.Read
		rec.Facts = r.result.Facts
	}
	return rec
}

func (r *run) writeEvidence() error {
	dir, _ := r.inputs.values[InputEvidenceDir].(string)
	if dir == "" {
		return nil
	}
	root, rel := r.inputs.rootFor(dir)
	name, err := evidence.Write(root, rel, r.record())
	if err != nil {
		return fmt.Errorf("writing evidence: %w", err)
	}
	r.evidence = filepath.Join(root.Dir(), filepath.FromSlash(name))
	return nil
}

func (r *run) appendTelemetry() error {
	path, _ := r.inputs.values[InputTelemetryFile].(string)
	if path == "" {
		return nil
	}
	fs := r.active()
	by, _ := countBySeverity(fs)
	ev := telemetry.Event{
		Gate:       r.gate.Spec.Name,
		Version:    version.Version,
		Mode:       r.mode,
		Verdict:    r.verdict(),
		ExitCode:   int(r.code),
		Started:    r.started.UTC(),
		DurationMS: r.finished.Sub(r.started).Milliseconds(),
		Findings:   telemetry.FindingCounts{Total: len(fs), BySeverity: by},
		Repository: r.env.Repository,
		RunID:      r.env.RunID,
		SHA:        r.env.SHA,
		Ref:        r.env.Ref,
	}
	if r.result != nil {
		ev.Counters = r.result.Counters
		if n := len(r.waived()); n > 0 {
			ev.Counters = maps.Clone(ev.Counters)
			if ev.Counters == nil {
				ev.Counters = map[string]int64{}
			}
			ev.Counters["waived"] = int64(n)
		}
	}
	root, rel := r.inputs.rootFor(path)
	return telemetry.Append(root, rel, ev)
}
