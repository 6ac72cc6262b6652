package policygate

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/fsroot"
)

// networkBuiltins are the functions that reach the network; the default
// capabilities leave them out.
var networkBuiltins = []string{"http.send", "net.lookup_ip_addr"}

// DefaultCapabilities returns what a policy may call when no capabilities
// file is given: OPA's built-in functions of this version, less the
// network ones.
func DefaultCapabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	c.Builtins = slices.DeleteFunc(c.Builtins, func(b *ast.Builtin) bool {
		return slices.Contains(networkBuiltins, b.Name)
	})
	c.AllowNet = []string{}
	return c
}

// compileError is a policy that does not parse or compile: bad
// configuration, exit 2. Each line names file:line.
type compileError struct {
	errs ast.Errors
}

func (e *compileError) Error() string {
	lines := make([]string, 0, len(e.errs))
	for _, x := range e.errs {
		where := ""
		if x.Location != nil {
			where = fmt.Sprintf("%s:%d: ", x.Location.File, x.Location.Row)
		}
		lines = append(lines, fmt.Sprintf("%s%s: %s", where, x.Code, x.Message))
	}
	return fmt.Sprintf("input \"policy\": the policy does not compile (%d error%s):\n%s", len(e.errs), plural(len(e.errs)), strings.Join(lines, "\n"))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// policySet is the policies, compiled, with what was read.
type policySet struct {
	modules  map[string]*ast.Module
	compiler *ast.Compiler
	read     []evidence.Artifact
	// tests lists the test rules (test_*) by module.
	tests int
	// policyFiles are the modules that are not test files, for coverage.
	policyFiles []string
}

// readFile reads a workspace file with the gate's size bound and records
// its digest.
func readFile(root *fsroot.Root, name string, read *[]evidence.Artifact) ([]byte, error) {
	b, err := root.ReadFile(name, maxFileSize)
	if err != nil {
		return nil, err
	}
	*read = append(*read, evidence.Artifact{Path: name, Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))})
	return b, nil
}

// parsePolicies parses each .rego file (Rego v1).
func parsePolicies(root *fsroot.Root, files []file, caps *ast.Capabilities) (map[string]*ast.Module, []evidence.Artifact, error) {
	mods := map[string]*ast.Module{}
	var read []evidence.Artifact
	var errs ast.Errors
	opts := ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1, Capabilities: caps}
	for _, f := range files {
		src, err := readFile(root, f.name, &read)
		if err != nil {
			return nil, nil, &fileError{name: f.name, err: err}
		}
		m, err := ast.ParseModuleWithOpts(f.name, string(src), opts)
		if err != nil {
			var pe ast.Errors
			if errors.As(err, &pe) {
				errs = append(errs, pe...)
				continue
			}
			return nil, nil, &compileError{errs: ast.Errors{ast.NewError(ast.ParseErr, &ast.Location{File: f.name}, "%v", err)}}
		}
		if m == nil {
			errs = append(errs, ast.NewError(ast.ParseErr, &ast.Location{File: f.name, Row: 1}, "empty module"))
			continue
		}
		mods[f.name] = m
	}
	if len(errs) > 0 {
		return nil, nil, &compileError{errs: errs}
	}
	return mods, read, nil
}

// newCompiler is the compiler every use of the policies shares: the
// capabilities, strict mode, no print output (a gate prints nothing of
// its own).
func newCompiler(caps *ast.Capabilities, strict bool) *ast.Compiler {
	return ast.NewCompiler().
		WithCapabilities(caps).
		WithStrict(strict).
		WithEnablePrintStatements(false)
}

// compilePolicies compiles the modules and checks the conftest rules'
// shape: deny, violation and warn rules must be sets, since a boolean
// "deny if" would otherwise be read as nothing denied.
func compilePolicies(mods map[string]*ast.Module, caps *ast.Capabilities, strict bool) (*policySet, error) {
	c := newCompiler(caps, strict)
	c.Compile(mods)
	if c.Failed() {
		errs := c.Errors
		sort.SliceStable(errs, func(i, j int) bool { return locLess(errs[i].Location, errs[j].Location) })
		return nil, &compileError{errs: errs}
	}
	ps := &policySet{modules: mods, compiler: c}
	var shapeErrs ast.Errors
	for name, m := range mods {
		if !strings.HasSuffix(name, "_test.rego") {
			ps.policyFiles = append(ps.policyFiles, name)
		}
		for _, r := range m.Rules {
			rn := ruleName(r)
			if strings.HasPrefix(rn, "test_") {
				ps.tests++
			}
			if ruleKind(rn) != kindNone && r.Head.RuleKind() != ast.MultiValue {
				shapeErrs = append(shapeErrs, ast.NewError(ast.CompileErr, r.Location,
					"rule %s must be a set of messages (write \"%s contains msg if { ... }\"): a %s rule that is not a set would deny nothing", rn, rn, rn))
			}
		}
	}
	slices.Sort(ps.policyFiles)
	if len(shapeErrs) > 0 {
		sort.SliceStable(shapeErrs, func(i, j int) bool { return locLess(shapeErrs[i].Location, shapeErrs[j].Location) })
		return nil, &compileError{errs: shapeErrs}
	}
	return ps, nil
}

func locLess(a, b *ast.Location) bool {
	if a == nil || b == nil {
		return b != nil
	}
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Row < b.Row
}

// ruleName is the first part of a rule's name: "deny" for
// "deny contains msg if ...".
func ruleName(r *ast.Rule) string {
	ref := r.Head.Ref()
	if len(ref) == 0 {
		return ""
	}
	if v, ok := ref[0].Value.(ast.Var); ok {
		return string(v)
	}
	return ""
}

// ruleKinds, as conftest names them.
type kind int

const (
	kindNone kind = iota
	kindFailure
	kindWarning
)

// ruleKind classifies a rule name as conftest does: deny, violation
// (failures) and warn (warnings), alone or followed by _suffix.
func ruleKind(name string) kind {
	base, suffix, has := strings.Cut(name, "_")
	if has && !validSuffix(suffix) {
		return kindNone
	}
	switch base {
	case "deny", "violation":
		return kindFailure
	case "warn":
		return kindWarning
	}
	return kindNone
}

// validSuffix is conftest's (_[a-zA-Z0-9]+)*.
func validSuffix(s string) bool {
	for _, part := range strings.Split(s, "_") {
		if part == "" {
			return false
		}
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// fileError is a file that could not be read.
type fileError struct {
	name string
	err  error
}

func (e *fileError) Error() string { return fmt.Sprintf("reading %q: %v", e.name, e.err) }
func (e *fileError) Unwrap() error { return e.err }

// loadData reads data files (JSON or one YAML document each) into one
// tree: a file named directly merges at the root, a file found in a named
// directory under the path of its folders below that directory, as OPA's
// loader places it.
func loadData(root *fsroot.Root, files []file) (map[string]any, []evidence.Artifact, error) {
	tree := map[string]any{}
	var read []evidence.Artifact
	for _, f := range files {
		src, err := readFile(root, f.name, &read)
		if err != nil {
			return nil, nil, &fileError{name: f.name, err: err}
		}
		docs, err := parseDocuments(f.name, src)
		if err != nil {
			return nil, nil, &dataError{name: f.name, err: err}
		}
		if len(docs) != 1 {
			return nil, nil, &dataError{name: f.name, err: fmt.Errorf("holds %d documents; a data file holds one", len(docs))}
		}
		v, err := ast.JSON(docs[0].value)
		if err != nil {
			return nil, nil, &dataError{name: f.name, err: err}
		}
		var prefix []string
		if f.dir != "" {
			rel := strings.TrimPrefix(path.Dir(f.name), f.dir)
			for _, p := range strings.Split(rel, "/") {
				if p != "" && p != "." {
					prefix = append(prefix, p)
				}
			}
		}
		obj, ok := v.(map[string]any)
		if !ok && len(prefix) == 0 {
			return nil, nil, &dataError{name: f.name, err: errors.New("holds no object at its root, so it cannot merge into data")}
		}
		if len(prefix) > 0 {
			var leaf any = v
			for i := len(prefix) - 1; i >= 0; i-- {
				leaf = map[string]any{prefix[i]: leaf}
			}
			obj = leaf.(map[string]any)
		}
		if err := merge(tree, obj, nil); err != nil {
			return nil, nil, &dataError{name: f.name, err: err}
		}
	}
	return tree, read, nil
}

// dataError is a data file that does not parse or merge.
type dataError struct {
	name string
	err  error
}

func (e *dataError) Error() string { return fmt.Sprintf("data file %q: %v", e.name, e.err) }
func (e *dataError) Unwrap() error { return e.err }

// merge adds src into dst; two files may share objects but not set the
// same leaf.
func merge(dst, src map[string]any, at []string) error {
	for k, v := range src {
		old, exists := dst[k]
		if !exists {
			dst[k] = v
			continue
		}
		om, ok1 := old.(map[string]any)
		nm, ok2 := v.(map[string]any)
		if !ok1 || !ok2 {
			return fmt.Errorf("data.%s is set by two data files", strings.Join(append(at, k), "."))
		}
		if err := merge(om, nm, append(at, k)); err != nil {
			return err
		}
	}
	return nil
}

// loadCapabilities reads a capabilities file in OPA's format. OPA's
// reader ignores fields it does not know, so any JSON object would do;
// a file that declares no built-in function, or lacks the rego_v1
// feature that v1 policies need, is refused here.
func loadCapabilities(src []byte) (*ast.Capabilities, error) {
	c, err := ast.LoadCapabilitiesJSON(bytes.NewReader(src))
	switch {
	case err != nil:
		return nil, err
	case len(c.Builtins) == 0:
		return nil, errors.New("it declares no built-in function")
	case !slices.Contains(c.Features, "rego_v1"):
		return nil, errors.New("it lacks the rego_v1 feature, which Rego v1 policies need")
	}
	return c, nil
}
