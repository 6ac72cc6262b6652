package audit

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
)

// parseWorkflow parses a workflow with actionlint and normalises the jobs.
// actionlint's errors become problems; its (possibly partial) tree is still
// used. Values actionlint drops from its tree when a job or step is invalid
// (a job's "uses:" next to "steps:", a step with both "uses:" and "run:")
// are recovered from a yaml.v3 parse of the same source, so an invalid file
// cannot hide an unpinned reference.
func parseWorkflow(sf *sourceFile) *workflowFile {
	wf := &workflowFile{sourceFile: sf}
	// actionlint expands aliases eagerly, so a file with aliases is
	// measured first: a few hundred bytes of nested aliases would
	// otherwise expand to millions of nodes.
	if mayHaveAliases(sf.src) {
		if raw := wf.rawRoot(); raw != nil {
			if n := yamlNodeCount(raw, MaxYAMLNodes); n > MaxYAMLNodes {
				sf.addProblem(pos{1, 1}, "yaml-too-many-nodes", fmt.Sprintf("aliases in the YAML expand to more than %d nodes, so the file was not parsed; remove the nested aliases", MaxYAMLNodes))
				return wf
			}
		}
	}
	ast, errs, perr := parseActionlint(sf.src)
	if perr != nil {
		sf.addProblem(pos{1, 1}, "parser-panic", fmt.Sprintf("workflow could not be parsed (actionlint failed: %q); fix the YAML syntax", perr.Error()))
		return wf
	}
	for _, e := range errs {
		if isBenignParseError(e) {
			continue
		}
		sf.addProblem(pos{e.Line, e.Column}, e.Message, "invalid workflow syntax: "+lowerFirst(e.Message)+"; fix it so GitHub accepts the file")
	}
	wf.ast = ast
	wf.normalise()
	// actionlint drops values only from jobs and steps it reports as
	// invalid, so a file without errors has nothing to recover.
	if len(errs) > 0 {
		if raw := wf.rawRoot(); raw != nil {
			wf.recoverDropped(raw)
		}
	}
	return wf
}

// rawRoot returns the yaml.v3 tree of the file, parsing it on first use;
// nil when the YAML does not parse.
func (wf *workflowFile) rawRoot() *yaml.Node {
	if !wf.rawDone {
		wf.rawDone = true
		if root, err := parseYAML(wf.src); err == nil {
			wf.raw = root
		}
	}
	return wf.raw
}

// mayHaveAliases reports whether src could contain a YAML alias ("*name"
// after a separator); false means it certainly does not.
func mayHaveAliases(src []byte) bool {
	for i := bytes.IndexByte(src, '*'); i >= 0; {
		if i == 0 || strings.IndexByte(" \t\n[{,:-", src[i-1]) >= 0 {
			if i+1 < len(src) && (isAliasChar(src[i+1])) {
				return true
			}
		}
		j := bytes.IndexByte(src[i+1:], '*')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return false
}

func isAliasChar(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isBenignParseError reports actionlint errors GitHub does not reject a
// workflow for: unused anchors, and the "entrypoint" and "command" keys
// of a service container, which GitHub accepts (actionlint v1.7.12
// predates them).
func isBenignParseError(e *actionlint.Error) bool {
	if strings.HasPrefix(e.Message, "anchor ") && strings.HasSuffix(e.Message, " is defined but not used") {
		return true
	}
	for _, k := range []string{"entrypoint", "command"} {
		if strings.HasPrefix(e.Message, `unexpected key "`+k+`" for "services" section.`) {
			return true
		}
	}
	return false
}

func lowerFirst(s string) string {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' && (len(s) < 2 || s[1] < 'A' || s[1] > 'Z') {
		return strings.ToLower(s[:1]) + s[1:]
	}
	return s
}

func stringScalar(s *actionlint.String) *scalar {
	if s == nil || s.Value == "" || s.Pos == nil {
		return nil
	}
	return &scalar{value: s.Value, pos: pos{s.Pos.Line, s.Pos.Col}}
}

func (wf *workflowFile) normalise() {
	if wf.ast == nil {
		return
	}
	for _, aj := range wf.ast.Jobs {
		if aj == nil || aj.ID == nil {
			continue
		}
		j := &job{ast: aj}
		if s := stringScalar(aj.ID); s != nil {
			j.id = *s
		} else {
			j.id = scalar{value: aj.ID.Value}
		}
		if aj.WorkflowCall != nil {
			j.uses = stringScalar(aj.WorkflowCall.Uses)
		}
		if aj.Container != nil {
			j.container = stringScalar(aj.Container.Image)
		}
		if sv := aj.Services; sv != nil {
			j.servicesExpr = stringScalar(sv.Expression)
			for id, svc := range sv.Value {
				if svc == nil {
					continue
				}
				name := id
				if svc.Name != nil {
					name = svc.Name.Value
				}
				var img *scalar
				if svc.Container != nil {
					img = stringScalar(svc.Container.Image)
				}
				j.services = append(j.services, service{name: name, image: img})
			}
			slices.SortFunc(j.services, func(a, b service) int { return cmp.Compare(a.name, b.name) })
		}
		for _, as := range aj.Steps {
			if as == nil {
				continue
			}
			st := &step{ast: as}
			if ea, ok := as.Exec.(*actionlint.ExecAction); ok {
				st.uses = stringScalar(ea.Uses)
			}
			j.steps = append(j.steps, st)
		}
		wf.jobs = append(wf.jobs, j)
	}
	slices.SortFunc(wf.jobs, func(a, b *job) int {
		return cmp.Or(cmp.Compare(a.id.pos.line, b.id.pos.line), cmp.Compare(a.id.pos.col, b.id.pos.col), cmp.Compare(a.id.value, b.id.value))
	})
}

// recoverDropped adds "uses:" values present in the raw YAML but missing from
// actionlint's tree.
func (wf *workflowFile) recoverDropped(root *yaml.Node) {
	have := map[pos]bool{}
	byID := map[string]*job{}
	for _, j := range wf.jobs {
		byID[strings.ToLower(j.id.value)] = j
		if j.uses != nil {
			have[j.uses.pos] = true
		}
		for _, st := range j.steps {
			if st.uses != nil {
				have[st.uses.pos] = true
			}
		}
	}
	_, jobs := mappingValue(root, "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		kn, jn := deref(jobs.Content[i]), deref(jobs.Content[i+1])
		if kn == nil || kn.Kind != yaml.ScalarNode || jn == nil {
			continue
		}
		j := byID[strings.ToLower(kn.Value)]
		get := func() *job {
			if j == nil {
				j = &job{id: scalar{value: kn.Value, pos: nodePos(kn)}}
				byID[strings.ToLower(kn.Value)] = j
				wf.jobs = append(wf.jobs, j)
			}
			return j
		}
		if _, u := mappingValue(jn, "uses"); u != nil {
			if s := scalarOf(u); s != nil && !have[s.pos] {
				have[s.pos] = true
				get().uses = s
			}
		}
		if _, steps := mappingValue(jn, "steps"); steps != nil && steps.Kind == yaml.SequenceNode {
			for _, sn := range steps.Content {
				_, u := mappingValue(sn, "uses")
				if s := scalarOf(u); s != nil && !have[s.pos] {
					have[s.pos] = true
					jj := get()
					jj.steps = append(jj.steps, &step{uses: s})
				}
			}
		}
	}
}
