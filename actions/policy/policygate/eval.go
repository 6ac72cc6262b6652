package policygate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// AllNamespaces, as a namespaces value, selects every package that has a
// deny, violation or warn rule.
const AllNamespaces = "*"

// ruleQuery is one conftest rule of one package, prepared once and
// evaluated against every document.
type ruleQuery struct {
	path string // data.main.deny
	kind kind
	pq   rego.PreparedEvalQuery
	// exc, when the package has exception rules, is true for documents
	// that except this rule (conftest's exception convention).
	exc *rego.PreparedEvalQuery
}

// message is one result of a rule over one input.
type message struct {
	kind      kind
	rule      string // data.main.deny
	text      string
	file      string // the input file; empty when unknown (combine mode)
	document  int    // 1-based, 0 when the file has one
	line      int
	exception bool
	// pending is _loc.path, resolved to a line once the document is known.
	pending []any
}

// namespaceError is a namespace that names no usable package.
type namespaceError struct {
	ns      string
	problem string
}

func (e *namespaceError) Error() string { return e.problem }

// packages maps each package (conftest's namespace: the path after data.)
// to its conftest rule names, and says which have exception rules.
func packages(mods map[string]*ast.Module) (rules map[string][]string, exceptions map[string]bool) {
	rules, exceptions = map[string][]string{}, map[string]bool{}
	for _, m := range mods {
		ns := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if _, ok := rules[ns]; !ok {
			rules[ns] = nil
		}
		for _, r := range m.Rules {
			n := ruleName(r)
			if n == "exception" {
				exceptions[ns] = true
			}
			if ruleKind(n) != kindNone && !slices.Contains(rules[ns], n) {
				rules[ns] = append(rules[ns], n)
			}
		}
	}
	for ns := range rules {
		slices.Sort(rules[ns])
	}
	return rules, exceptions
}

// selectNamespaces resolves the namespaces input: "*" is every package
// with a conftest rule; a named package must exist and have one, so a
// typo cannot pass silently.
func selectNamespaces(mods map[string]*ast.Module, want []string) ([]string, error) {
	rules, _ := packages(mods)
	var known []string
	for ns, rs := range rules {
		if len(rs) > 0 {
			known = append(known, ns)
		}
	}
	slices.Sort(known)
	if slices.Contains(want, AllNamespaces) {
		if len(known) == 0 {
			return nil, &namespaceError{ns: AllNamespaces, problem: "no package has a deny, violation or warn rule"}
		}
		return known, nil
	}
	var out []string
	for _, ns := range want {
		rs, ok := rules[ns]
		switch {
		case !ok:
			return nil, &namespaceError{ns: ns, problem: fmt.Sprintf("no policy has package %s (packages with rules: %s)", ns, listOrNone(known))}
		case len(rs) == 0:
			return nil, &namespaceError{ns: ns, problem: fmt.Sprintf("package %s has no deny, violation or warn rule (packages with rules: %s)", ns, listOrNone(known))}
		}
		if !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	return out, nil
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// evaluator evaluates the prepared rules over documents.
type evaluator struct {
	queries  []*ruleQuery
	store    storage.Store
	fileInfo bool // a policy reads data.conftest.file
}

// runtimeTerm is what opa.runtime() returns to a policy: no environment,
// so a policy cannot read the runner's variables and secrets.
var runtimeTerm = ast.ObjectTerm(ast.Item(ast.StringTerm("env"), ast.ObjectTerm()))

// newEvaluator prepares every rule of the namespaces.
func newEvaluator(ctx context.Context, ps *policySet, store storage.Store, namespaces []string, caps *ast.Capabilities) (*evaluator, error) {
	rules, exceptions := packages(ps.modules)
	e := &evaluator{store: store, fileInfo: readsConftestFile(ps.modules)}
	prepare := func(q string) (rego.PreparedEvalQuery, error) {
		return rego.New(
			rego.Query(q),
			rego.Compiler(ps.compiler),
			rego.Store(store),
			rego.Capabilities(caps),
			rego.StrictBuiltinErrors(true),
			rego.Runtime(runtimeTerm),
		).PrepareForEval(ctx)
	}
	for _, ns := range namespaces {
		for _, r := range rules[ns] {
			q := &ruleQuery{path: "data." + ns + "." + r, kind: ruleKind(r)}
			pq, err := prepare(q.path)
			if err != nil {
				return nil, prepareError(q.path, err)
			}
			q.pq = pq
			if exceptions[ns] {
				xq, err := prepare(fmt.Sprintf("data.%s.exception[_][_] == %q", ns, exceptionName(r)))
				if err != nil {
					return nil, prepareError(q.path, err)
				}
				q.exc = &xq
			}
			e.queries = append(e.queries, q)
		}
	}
	return e, nil
}

// prepareError keeps compile problems as compile errors (exit 2).
func prepareError(rule string, err error) error {
	var errs ast.Errors
	if errors.As(err, &errs) {
		return &compileError{errs: errs}
	}
	return fmt.Errorf("preparing %s: %w", rule, err)
}

// exceptionName is the name an exception rule uses for a rule: conftest's
// rule name without its deny_, violation_ or warn_ prefix.
func exceptionName(rule string) string {
	_, suffix, _ := strings.Cut(rule, "_")
	return suffix
}

// readsConftestFile reports whether a policy refers to data.conftest, so
// the file name is written to the store only when someone reads it.
func readsConftestFile(mods map[string]*ast.Module) bool {
	prefix := ast.MustParseRef("data.conftest")
	found := false
	for _, m := range mods {
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if r.HasPrefix(prefix) {
				found = true
			}
			return found
		})
		if found {
			return true
		}
	}
	return false
}

// evalError is an evaluation that could not finish: exit 3, naming the
// rule and the input.
type evalError struct {
	rule    string
	input   string
	timeout bool
	err     error
}

func (e *evalError) Error() string {
	var msg string
	var te *topdown.Error
	switch {
	case e.timeout:
		msg = "timed out"
	case errors.As(e.err, &te):
		msg = te.Code + ": " + excerptLong(te.Message)
		if te.Location != nil {
			msg += fmt.Sprintf(" (at %s:%d)", te.Location.File, te.Location.Row)
		}
	default:
		msg = excerptLong(e.err.Error())
	}
	return fmt.Sprintf("evaluating %s over %s: %s", e.rule, e.input, msg)
}

func (e *evalError) Unwrap() error { return e.err }

// excerptLong shortens an engine message, which may quote input values.
func excerptLong(s string) string {
	const max = 300
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// target names what a rule was evaluated over, for messages.
type target struct {
	file     string // workspace name; empty in combine mode
	document int    // 1-based; 0 when the file holds one
	count    int
}

func (t target) String() string {
	switch {
	case t.file == "":
		return "the combined inputs"
	case t.document > 0:
		return fmt.Sprintf("%q (document %d of %d)", t.file, t.document, t.count)
	}
	return fmt.Sprintf("%q", t.file)
}

// eval evaluates every rule over one input value.
func (e *evaluator) eval(ctx context.Context, t target, input ast.Value) ([]message, error) {
	if e.fileInfo {
		name, dir := "Combined", "."
		if t.file != "" {
			name, dir = path.Base(t.file), path.Dir(t.file)
		}
		if err := storage.WriteOne(ctx, e.store, storage.ReplaceOp, storage.Path{"conftest", "file"}, map[string]any{"name": name, "dir": dir}); err != nil {
			return nil, fmt.Errorf("writing data.conftest.file: %w", err)
		}
	}
	var out []message
	for _, q := range e.queries {
		if q.exc != nil {
			rs, err := q.exc.Eval(ctx, rego.EvalParsedInput(input))
			if err != nil {
				return nil, &evalError{rule: q.path, input: t.String(), timeout: ctx.Err() != nil, err: err}
			}
			if len(rs) > 0 {
				out = append(out, message{kind: q.kind, rule: q.path, exception: true, file: t.file, document: t.document})
				continue
			}
		}
		rs, err := q.pq.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil {
			return nil, &evalError{rule: q.path, input: t.String(), timeout: ctx.Err() != nil, err: err}
		}
		ms, err := decode(q, t, rs)
		if err != nil {
			return nil, &evalError{rule: q.path, input: t.String(), err: err}
		}
		out = append(out, ms...)
	}
	return out, nil
}

// decode reads a conftest rule's set: strings, or objects with a string
// msg and an optional _loc. Anything else is a policy that produced what
// no one can read, which must not pass as "nothing denied".
func decode(q *ruleQuery, t target, rs rego.ResultSet) ([]message, error) {
	var out []message
	for _, r := range rs {
		for _, ex := range r.Expressions {
			items, ok := ex.Value.([]any)
			if !ok {
				return nil, fmt.Errorf("the rule's value is a %T, not a set of messages", ex.Value)
			}
			for _, it := range items {
				m := message{kind: q.kind, rule: q.path, file: t.file, document: t.document}
				switch v := it.(type) {
				case string:
					m.text = v
				case map[string]any:
					s, ok := v["msg"].(string)
					if !ok {
						return nil, errors.New("a result object has no string msg field")
					}
					m.text = s
					applyLoc(&m, v["_loc"])
				default:
					return nil, fmt.Errorf("a result is a %T, not a string or an object with msg", it)
				}
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// applyLoc takes _loc.file (combine mode: which input), _loc.line and
// _loc.document; _loc.path is resolved later against the document.
func applyLoc(m *message, v any) {
	l, ok := v.(map[string]any)
	if !ok {
		return
	}
	if f, ok := l["file"].(string); ok && f != "" && m.file == "" {
		m.file = f
	}
	if n, ok := l["line"].(json.Number); ok {
		if i, err := n.Int64(); err == nil && i > 0 && i < 1<<31 {
			m.line = int(i)
		}
	}
	if n, ok := l["document"].(json.Number); ok && m.document == 0 {
		if i, err := n.Int64(); err == nil && i > 0 && i < 1<<31 {
			m.document = int(i)
		}
	}
	if p, ok := l["path"].([]any); ok && m.line == 0 {
		m.pending = p
	}
}

// String renders a message for tests and debugging: file:line: text.
func (m message) String() string {
	s := m.text
	if m.exception {
		s = "exception to " + m.rule
	}
	if m.file != "" {
		return fmt.Sprintf("%s:%d: %s", m.file, m.line, s)
	}
	return s
}
