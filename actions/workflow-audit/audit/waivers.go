package audit

import (
	"bytes"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/waiver"
)

// applyWaivers turns a scan's findings into the gate's: the configuration's
// rule settings first (disabled rules dropped, severities remapped), then
// the waivers, inline ones before the file's, so a finding waived both ways
// records the more precise waiver. It returns every finding, waived ones
// with their suppression, followed by the findings about the waivers
// themselves (invalid-, expired- and unused-waiver), to which the rule
// settings apply too.
//
// Inline waivers and job spans come from the sources the scan kept (see
// [needsWorkflowSources]), so they are read from the very bytes the rules
// checked.
func applyWaivers(rep *Report, s *waiver.Setup) []finding.Finding {
	var inline []waiver.Waiver
	var invalid []finding.Finding
	var jobs []waiver.JobSpan
	needSpans := needsWorkflowSources(s)
	for _, f := range rep.Files {
		src, ok := rep.sources[f.Path]
		if !ok {
			continue // no "hub:" in it, or never parsed (too large, binary)
		}
		syntax := waiver.SyntaxYAML
		if f.Kind == KindDockerfile {
			syntax = waiver.SyntaxDockerfile
		}
		if bytes.Contains(src, []byte("hub:")) {
			ws, bad := s.Policy.ParseInline(f.Path, src, syntax)
			inline = append(inline, ws...)
			invalid = append(invalid, bad...)
		}
		if needSpans && f.Kind == KindWorkflow {
			jobs = append(jobs, jobSpans(f.Path, src)...)
		}
	}
	fs := s.Gate.Adjust(rep.Findings)
	fs, meta := s.Policy.Apply(fs, slices.Concat(inline, s.Gate.Waivers), jobs)
	return append(fs, s.Gate.Adjust(slices.Concat(invalid, meta))...)
}

// needsWorkflowSources reports whether the waivers need every workflow's
// source: job spans are only needed for waivers with a job selector, and
// parsing for them is the cost.
func needsWorkflowSources(s *waiver.Setup) bool {
	return slices.ContainsFunc(s.Gate.Waivers, func(w waiver.Waiver) bool { return w.Job != "" })
}

// jobSpans places each job of a workflow: from the line of its key to the
// line before the next job's key; the last job runs to the line before the
// next top-level key, or to the end of the file. Spans run to the next key
// rather than to the job's last node because a block scalar ("run: |")
// ends a job with lines no node starts on. A workflow that does not parse
// has no spans: its job waivers match nothing and are reported unused.
func jobSpans(path string, src []byte) []waiver.JobSpan {
	root, err := parseYAML(src)
	if err != nil || root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	end := countLines(src)
	for i := 0; i+1 < len(root.Content); i += 2 {
		if k := root.Content[i]; k.Kind == yaml.ScalarNode && k.Value == "jobs" && i+2 < len(root.Content) {
			end = root.Content[i+2].Line - 1
		}
	}
	_, jobs := mappingValue(root, "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		return nil
	}
	var spans []waiver.JobSpan
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		k := jobs.Content[i]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		last := end
		if i+2 < len(jobs.Content) {
			last = jobs.Content[i+2].Line - 1
		}
		spans = append(spans, waiver.JobSpan{Path: path, Job: k.Value, Start: k.Line, End: max(last, k.Line)})
	}
	return spans
}

// countLines returns the number of lines in src, a last line without a
// newline included.
func countLines(src []byte) int {
	n := 0
	for i, b := range src {
		if b == '\n' || i == len(src)-1 {
			n++
		}
	}
	return n
}
