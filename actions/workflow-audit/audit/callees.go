package audit

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// workflowCalls is what the callee pass needs of a scanned workflow.
type workflowCalls struct {
	path  string
	on    []string
	calls []string
}

// localCalls returns the repository paths of the local reusable workflows
// ("uses: ./.github/workflows/x.yml") wf's jobs call, sorted and unique.
func (wf *workflowFile) localCalls() []string {
	var out []string
	for _, j := range wf.jobs {
		if j.uses == nil {
			continue
		}
		ref, ok := strings.CutPrefix(j.uses.value, "./")
		if !ok || strings.Contains(ref, "@") {
			continue
		}
		ref = path.Clean(ref)
		if strings.HasPrefix(ref, ".github/workflows/") && !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	slices.Sort(out)
	return out
}

// inheritedTriggers returns, for each scanned workflow called by another,
// the triggers it runs under through its callers (callers of callers
// included) that it does not declare itself. Only workflows that declare
// workflow_call inherit: GitHub refuses to call any other.
func (s *scanner) inheritedTriggers() map[string][]string {
	byPath := map[string]workflowCalls{}
	for _, w := range s.workflows {
		byPath[w.path] = w
	}
	effective := map[string][]string{}
	for _, w := range s.workflows {
		effective[w.path] = slices.Clone(w.on)
	}
	// Each round pushes triggers one call deeper; a chain is at most as
	// long as there are workflows, and a cycle stops changing.
	for range len(s.workflows) {
		changed := false
		for _, caller := range s.workflows {
			for _, callee := range caller.calls {
				c, ok := byPath[callee]
				if !ok || !slices.Contains(c.on, "workflow_call") {
					continue
				}
				for _, t := range effective[caller.path] {
					if t != "workflow_call" && !slices.Contains(effective[callee], t) {
						effective[callee] = append(effective[callee], t)
						changed = true
					}
				}
			}
		}
		if !changed {
			break
		}
	}
	out := map[string][]string{}
	for p, ts := range effective {
		var extra []string
		for _, t := range ts {
			if !slices.Contains(byPath[p].on, t) {
				extra = append(extra, t)
			}
		}
		if len(extra) > 0 {
			out[p] = extra
		}
	}
	return out
}

// callersOf returns the scanned workflows that call callee, sorted.
func (s *scanner) callersOf(callee string) []string {
	var out []string
	for _, w := range s.workflows {
		if slices.Contains(w.calls, callee) {
			out = append(out, w.path)
		}
	}
	slices.Sort(out)
	return out
}

// scanCallees checks again, under the triggers they inherit, the reusable
// workflows that privileged or fork-reachable workflows call: a
// pull_request_target workflow that hands the PR's head to a local
// reusable workflow is a pwn request in the callee's steps, which the
// callee's own "on: workflow_call" does not show. Findings the first pass
// made are not repeated; new ones say which callers and triggers they come
// from.
func (s *scanner) scanCallees() error {
	inherited := s.inheritedTriggers()
	for _, p := range slices.Sorted(maps.Keys(inherited)) {
		if err := s.ctx.Err(); err != nil {
			return fmt.Errorf("scanning %q: %w", s.root, err)
		}
		on := inherited[p]
		if !slices.ContainsFunc(on, func(t string) bool { return privilegedTriggers[t] || forkTriggers[t] }) {
			continue // only the rules' privileged and fork triggers change a verdict
		}
		i := slices.IndexFunc(s.queue, func(q target) bool { return q.rel == p })
		if i < 0 {
			continue
		}
		src, _, size, err := readCapped(s.fsys, s.queue[i].rel)
		if err != nil {
			return &PathError{Path: p, Err: fmt.Errorf("reading workflow: %w", err)}
		}
		if size > MaxFileSize || !isText(src) {
			continue
		}
		sf := &sourceFile{path: p, kind: KindWorkflow, src: src}
		wf := parseWorkflow(sf)
		wf.inherited = on
		var again []finding.Finding
		s.run(sf, wf, &again)
		type id struct {
			rule, key string
			line, col int
		}
		had := map[id]bool{}
		for _, f := range s.found {
			if f.Path == p {
				had[id{f.Rule, f.Fingerprint, f.Line, f.Col}] = true
			}
		}
		via := fmt.Sprintf(" (this reusable workflow runs on %s through %s)", strings.Join(on, ", "), strings.Join(s.callersOf(p), ", "))
		for _, f := range again {
			if had[id{f.Rule, f.Fingerprint, f.Line, f.Col}] {
				continue
			}
			f.Message += via
			s.found = append(s.found, f)
		}
	}
	return nil
}
