package audit

import (
	"cmp"
	"slices"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
)

// This file gives the security rules one view of a step, whether it comes
// from a workflow (actionlint's tree) or from a composite action (yaml.v3
// nodes), with every value's position and block style, and the scope its
// expressions are evaluated in.

// stepView is a workflow or composite action step as the security rules
// read it.
type stepView struct {
	// action is the "owner/repo[/path]" a step uses, lower case and
	// without "@ref"; "" for run steps, local actions and docker images.
	action string
	uses   *scriptVal // the "uses:" value
	local  bool       // "uses: ./..."
	run    *scriptVal
	with   map[string]*scriptVal // by lower-case input name
	env    envBlock
	cond   *scriptVal // "if:"
	// shell is the step's own "shell:", or the job's or workflow's
	// defaults.run.shell for workflow run steps; nil when none is set.
	shell *scriptVal

	// cmds and execs cache the run: script's commands and the indexes of
	// those that execute workspace code (see commands and execIndexes).
	cmds  []shellCmd
	execs []int
	split bool
}

// commands returns the run: script's commands (nil for uses: steps),
// splitting the script once.
func (sv *stepView) commands() []shellCmd {
	if !sv.split {
		sv.split = true
		if sv.run != nil {
			shell := ""
			if sv.shell != nil {
				shell = sv.shell.value
			}
			sv.cmds = scriptCommands(sv.run.value, shell)
			for i, c := range sv.cmds {
				if c.executes() {
					sv.execs = append(sv.execs, i)
				}
			}
		}
	}
	return sv.cmds
}

// firstExecAfter returns the first command that executes workspace code
// and starts after byte offset after of the script, or nil.
func (sv *stepView) firstExecAfter(after int) *shellCmd {
	cmds := sv.commands()
	k := sort.Search(len(sv.execs), func(k int) bool { return cmds[sv.execs[k]].off > after })
	if k == len(sv.execs) {
		return nil
	}
	return &cmds[sv.execs[k]]
}

// envVar is one "env:" entry.
type envVar struct {
	name  string // as written
	value *scriptVal
}

// envBlock is one "env:" mapping; expr is set instead when the whole block
// is one expression.
type envBlock struct {
	vars map[string]envVar // by lower-case name
	expr *scriptVal
}

// lookup returns the value env.<name> has in b: the entry's value, or the
// block's expression when the block is one.
func (b envBlock) lookup(name string) (string, bool) {
	if v, ok := b.vars[strings.ToLower(name)]; ok {
		return v.value.value, true
	}
	if b.expr != nil {
		return b.expr.value, true
	}
	return "", false
}

// sortedVars returns the entries in source order.
func (b envBlock) sortedVars() []envVar {
	out := make([]envVar, 0, len(b.vars))
	for _, v := range b.vars {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b envVar) int {
		return cmp.Or(cmp.Compare(a.value.pos.line, b.value.pos.line), cmp.Compare(a.value.pos.col, b.value.pos.col), cmp.Compare(a.name, b.name))
	})
	return out
}

// jobView is a workflow job's steps with the job's env.
type jobView struct {
	j     *job
	env   envBlock
	steps []*stepView
}

// workflowView is what the security rules read of a workflow.
type workflowView struct {
	wf   *workflowFile
	ix   *srcIndex
	env  envBlock
	jobs []*jobView
}

// newWorkflowView returns the view of wf, built once and shared by the
// rules (which run one after another on the file's goroutine).
func newWorkflowView(wf *workflowFile) *workflowView {
	if wf.view == nil {
		wf.view = buildWorkflowView(wf)
	}
	return wf.view
}

// buildWorkflowView builds the view of wf; jobs actionlint could not parse
// (recovered from raw YAML) have no steps in it.
func buildWorkflowView(wf *workflowFile) *workflowView {
	v := &workflowView{wf: wf, ix: newSrcIndex(wf.src)}
	if wf.ast == nil {
		return v
	}
	v.env = v.envOf(wf.ast.Env)
	for _, j := range wf.jobs {
		jv := &jobView{j: j}
		if j.ast != nil {
			jv.env = v.envOf(j.ast.Env)
		}
		for _, st := range j.steps {
			if st.ast != nil {
				sv := v.stepOf(st.ast)
				if sv.run != nil && sv.shell == nil {
					sv.shell = v.defaultShell(j)
				}
				jv.steps = append(jv.steps, sv)
			}
		}
		v.jobs = append(v.jobs, jv)
	}
	return v
}

// defaultShell returns the job's, else the workflow's,
// defaults.run.shell, or nil.
func (v *workflowView) defaultShell(j *job) *scriptVal {
	for _, d := range []*actionlint.Defaults{j.ast.Defaults, v.wf.ast.Defaults} {
		if d != nil && d.Run != nil && d.Run.Shell != nil {
			return v.str(d.Run.Shell)
		}
	}
	return nil
}

// str converts an actionlint string; nil when it has no position.
func (v *workflowView) str(s *actionlint.String) *scriptVal {
	if s == nil || s.Pos == nil {
		return nil
	}
	p := pos{s.Pos.Line, s.Pos.Col}
	return &scriptVal{value: s.Value, pos: p, block: v.ix.isBlock(p)}
}

func (v *workflowView) envOf(e *actionlint.Env) envBlock {
	b := envBlock{vars: map[string]envVar{}}
	if e == nil {
		return b
	}
	b.expr = v.str(e.Expression)
	for _, ev := range e.Vars {
		if ev == nil || ev.Name == nil {
			continue
		}
		val := v.str(ev.Value)
		if val == nil {
			val = &scriptVal{pos: pos{ev.Name.Pos.Line, ev.Name.Pos.Col}}
		}
		b.vars[strings.ToLower(ev.Name.Value)] = envVar{name: ev.Name.Value, value: val}
	}
	return b
}

func (v *workflowView) stepOf(as *actionlint.Step) *stepView {
	sv := &stepView{with: map[string]*scriptVal{}, env: v.envOf(as.Env), cond: v.str(as.If)}
	switch ex := as.Exec.(type) {
	case *actionlint.ExecRun:
		sv.run = v.str(ex.Run)
		sv.shell = v.str(ex.Shell)
	case *actionlint.ExecAction:
		sv.uses = v.str(ex.Uses)
		for name, in := range ex.Inputs {
			if in == nil {
				continue
			}
			if val := v.str(in.Value); val != nil {
				sv.with[strings.ToLower(name)] = val
			}
		}
	}
	sv.setAction()
	return sv
}

// setAction fills action and local from uses.
func (sv *stepView) setAction() {
	if sv.uses == nil {
		return
	}
	u := strings.TrimSpace(sv.uses.value)
	switch {
	case strings.HasPrefix(u, "./"):
		sv.local = true
	case strings.HasPrefix(u, "docker://"), containsExpression(u):
	default:
		name, _, _ := strings.Cut(u, "@")
		sv.action = strings.ToLower(name)
	}
}

// usesAny reports whether the step uses one of the named actions
// ("owner/repo", matching any path inside the repository).
func (sv *stepView) usesAny(names ...string) bool {
	for _, n := range names {
		if sv.action == n || strings.HasPrefix(sv.action, n+"/") {
			return true
		}
	}
	return false
}

// newActionSteps returns the views of a composite action's steps, built
// once and shared by the rules.
func newActionSteps(a *actionFile) []*stepView {
	if !a.viewsDone {
		a.viewsDone = true
		a.views = buildActionSteps(a)
	}
	return a.views
}

// actionIndex returns the action's source index, built once.
func actionIndex(a *actionFile) *srcIndex {
	if a.ix == nil {
		a.ix = newSrcIndex(a.src)
	}
	return a.ix
}

// buildActionSteps builds the views of a composite action's steps.
func buildActionSteps(a *actionFile) []*stepView {
	var out []*stepView
	for _, st := range a.steps {
		if st.node == nil {
			continue
		}
		sv := &stepView{with: map[string]*scriptVal{}, env: envBlock{vars: map[string]envVar{}}}
		_, u := mappingValue(st.node, "uses")
		sv.uses = nodeVal(u)
		_, r := mappingValue(st.node, "run")
		sv.run = nodeVal(r)
		_, c := mappingValue(st.node, "if")
		sv.cond = nodeVal(c)
		_, sh := mappingValue(st.node, "shell")
		sv.shell = nodeVal(sh)
		_, w := mappingValue(st.node, "with")
		eachPair(w, func(k string, vn *yaml.Node) {
			if val := nodeVal(vn); val != nil {
				sv.with[strings.ToLower(k)] = val
			}
		})
		_, e := mappingValue(st.node, "env")
		if e != nil && e.Kind == yaml.ScalarNode {
			sv.env.expr = nodeVal(e)
		}
		eachPair(e, func(k string, vn *yaml.Node) {
			if val := nodeVal(vn); val != nil {
				sv.env.vars[strings.ToLower(k)] = envVar{name: k, value: val}
			}
		})
		sv.setAction()
		out = append(out, sv)
	}
	return out
}

// nodeVal converts a scalar node; nil for anything else.
func nodeVal(n *yaml.Node) *scriptVal {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return nil
	}
	return &scriptVal{value: n.Value, pos: nodePos(n), block: n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0}
}

// eachPair calls fn for every scalar key of mapping n, in order.
func eachPair(n *yaml.Node, fn func(key string, val *yaml.Node)) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if kn := deref(n.Content[i]); kn != nil && kn.Kind == yaml.ScalarNode {
			fn(kn.Value, n.Content[i+1])
		}
	}
}

// scope returns the expression scope of a workflow step: env from the
// step, then the job, then the workflow; the job's matrix; and the types
// the workflow declares for its inputs.
func (v *workflowView) scope(jv *jobView, sv *stepView) *exprScope {
	levels := []envBlock{v.env}
	if jv != nil {
		levels = []envBlock{v.env, jv.env}
	}
	if sv != nil {
		levels = append(levels, sv.env)
	}
	sc := &exprScope{
		env: func(name string) (string, bool) {
			for i := len(levels) - 1; i >= 0; i-- {
				if val, ok := levels[i].lookup(name); ok {
					return val, true
				}
			}
			return "", false
		},
		fixedInput: v.fixedInput,
		envNames: func() []string {
			var out []string
			for _, l := range levels {
				for _, ev := range l.vars {
					out = append(out, ev.name)
				}
			}
			return out
		},
	}
	if jv != nil && jv.j.ast != nil && jv.j.ast.Strategy != nil && jv.j.ast.Strategy.Matrix != nil {
		m := jv.j.ast.Strategy.Matrix
		sc.matrix = func(key string) []string { return matrixValues(m, key) }
	}
	return sc
}

// actionScope is the expression scope of a composite action step: only
// the step's own env (actions have no workflow or job env, and their
// inputs carry no types).
func actionScope(sv *stepView) *exprScope {
	return &exprScope{env: sv.env.lookup, envNames: func() []string {
		var out []string
		for _, ev := range sv.env.vars {
			out = append(out, ev.name)
		}
		return out
	}}
}

// fixedInput reports whether every declaration of input name (in
// workflow_dispatch and workflow_call) has a type that cannot carry free
// text. An undeclared input is not fixed.
func (v *workflowView) fixedInput(name string) bool {
	name = strings.ToLower(name)
	found := false
	for _, e := range v.wf.ast.On {
		switch ev := e.(type) {
		case *actionlint.WorkflowDispatchEvent:
			in, ok := ev.Inputs[name]
			if !ok || in == nil {
				continue
			}
			found = true
			switch in.Type {
			case actionlint.WorkflowDispatchEventInputTypeBoolean, actionlint.WorkflowDispatchEventInputTypeNumber,
				actionlint.WorkflowDispatchEventInputTypeChoice, actionlint.WorkflowDispatchEventInputTypeEnvironment:
			default:
				return false
			}
		case *actionlint.WorkflowCallEvent:
			for _, in := range ev.Inputs {
				if in == nil || strings.ToLower(in.ID) != name {
					continue
				}
				found = true
				if in.Type != actionlint.WorkflowCallEventInputTypeBoolean && in.Type != actionlint.WorkflowCallEventInputTypeNumber {
					return false
				}
			}
		}
	}
	return found
}

// matrixValues returns every value, as written, that matrix.<key> may
// take: the row's values, include entries that set the key, and any
// expression the matrix or its include list is given as.
func matrixValues(m *actionlint.Matrix, key string) []string {
	var out []string
	add := func(s *actionlint.String) {
		if s != nil {
			out = append(out, s.Value)
		}
	}
	add(m.Expression)
	for name, row := range m.Rows {
		if row == nil || !strings.EqualFold(name, key) {
			continue
		}
		add(row.Expression)
		for _, val := range row.Values {
			out = append(out, rawStrings(val)...)
		}
	}
	if m.Include != nil {
		add(m.Include.Expression)
		for _, c := range m.Include.Combinations {
			if c == nil {
				continue
			}
			add(c.Expression)
			for name, as := range c.Assigns {
				if as != nil && strings.EqualFold(name, key) {
					out = append(out, rawStrings(as.Value)...)
				}
			}
		}
	}
	return out
}

// rawStrings returns the strings inside a raw YAML value.
func rawStrings(v actionlint.RawYAMLValue) []string {
	switch v := v.(type) {
	case *actionlint.RawYAMLString:
		return []string{v.Value}
	case *actionlint.RawYAMLArray:
		var out []string
		for _, e := range v.Elems {
			out = append(out, rawStrings(e)...)
		}
		return out
	case *actionlint.RawYAMLObject:
		var out []string
		for _, e := range v.Props {
			out = append(out, rawStrings(e)...)
		}
		return out
	}
	return nil
}
