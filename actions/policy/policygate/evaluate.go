package policygate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/fsroot"
)

// Report is what one run found, before it becomes the gate's result.
type Report struct {
	messages   []message
	tests      *testReport
	namespaces []string
	rules      int
	files      int
	documents  int
	// Read lists every file read, with its digest.
	Read []evidence.Artifact
}

// evalOptions are the inputs Evaluate needs.
type evalOptions = options

// Evaluate loads the policies and data, runs the policy's unit tests and,
// when they pass, evaluates the policies over the input files. Bad input
// and policies that do not compile come back as errors the gate maps to
// exit 2; evaluation errors, timeouts and I/O failures as others (exit 3).
func Evaluate(ctx context.Context, root *fsroot.Root, opts evalOptions) (*Report, error) {
	rep := &Report{}
	policies, err := collect(root, opts.policy, hasExt(".rego"))
	if err != nil {
		return nil, patternErr(inputPolicy, err)
	}
	mods, read, err := parsePolicies(root, policies, opts.caps)
	if err != nil {
		return nil, fileErr(inputPolicy, err)
	}
	rep.Read = append(rep.Read, read...)
	ps, err := compilePolicies(mods, opts.caps, opts.strict)
	if err != nil {
		return nil, err
	}
	data := map[string]any{}
	if len(opts.data) > 0 {
		dataFiles, err := collect(root, opts.data, hasExt(".json", ".yaml", ".yml"))
		if err != nil {
			return nil, patternErr(inputData, err)
		}
		var read []evidence.Artifact
		data, read, err = loadData(root, dataFiles)
		if err != nil {
			return nil, fileErr(inputData, err)
		}
		rep.Read = append(rep.Read, read...)
	}
	var inputs []file
	if len(opts.files) > 0 {
		if inputs, err = collect(root, opts.files, hasExt(".json", ".yaml", ".yml")); err != nil {
			return nil, patternErr(inputFiles, err)
		}
		if rep.namespaces, err = selectNamespaces(ps.modules, opts.namespaces); err != nil {
			return nil, err
		}
	}
	fileInfo := readsConftestFile(ps.modules)
	if fileInfo {
		c, _ := data["conftest"].(map[string]any)
		if c == nil {
			c = map[string]any{}
			data["conftest"] = c
		}
		c["file"] = map[string]any{"name": "", "dir": ""}
	}
	store := inmem.NewFromObject(data)

	if opts.runTests && ps.tests > 0 {
		rep.tests, err = runUnitTests(ctx, ps, store, opts.caps, opts.strict, opts.timeout)
		if err != nil {
			return nil, err
		}
		if _, failed, _ := rep.tests.counts(); failed > 0 {
			return rep, nil
		}
	}
	if len(inputs) == 0 {
		if rep.tests == nil {
			return nil, &inputPatternError{input: inputFiles, pattern: "", err: errors.New("is empty and the policy has no unit tests to run: nothing to decide")}
		}
		return rep, nil
	}

	ev, err := newEvaluator(ctx, ps, store, rep.namespaces, opts.caps)
	if err != nil {
		return nil, err
	}
	rep.rules = len(ev.queries)
	rep.files = len(inputs)
	parsed := map[string][]document{}
	var combined []*ast.Term
	for _, f := range inputs {
		src, err := readFile(root, f.name, &rep.Read)
		if err != nil {
			return nil, fileErr(inputFiles, &fileError{name: f.name, err: err})
		}
		docs, err := parseDocuments(f.name, src)
		if err != nil {
			return nil, &inputFileError{name: f.name, err: err}
		}
		rep.documents += len(docs)
		if opts.combine {
			parsed[f.name] = docs
			for _, d := range docs {
				combined = append(combined, ast.ObjectTerm(
					ast.Item(ast.StringTerm("path"), ast.StringTerm(f.name)),
					ast.Item(ast.StringTerm("contents"), ast.NewTerm(d.value)),
				))
			}
			continue
		}
		for i, d := range docs {
			t := target{file: f.name, count: len(docs)}
			if len(docs) > 1 {
				t.document = i + 1
			}
			ms, err := ev.eval(ctx, t, d.value)
			if err != nil {
				return nil, err
			}
			for j := range ms {
				place(&ms[j], root, d, len(docs))
			}
			rep.messages = append(rep.messages, ms...)
		}
	}
	if opts.combine {
		ms, err := ev.eval(ctx, target{}, ast.NewArray(combined...))
		if err != nil {
			return nil, err
		}
		for j := range ms {
			m := &ms[j]
			docs, ok := parsed[m.file]
			if !ok {
				m.file, m.line, m.document = "", 0, 0 // not one of the inputs
				continue
			}
			i := max(m.document, 1) - 1
			if i < len(docs) {
				place(m, root, docs[i], len(docs))
			}
		}
		rep.messages = append(rep.messages, ms...)
	}
	return rep, nil
}

// place gives a message its line: the one _loc.line gave, the line of the
// value _loc.path names, or the start of its document in a file of several.
func place(m *message, root *fsroot.Root, d document, count int) {
	if m.line == 0 && m.pending != nil {
		node := d.node
		if node == nil && m.file != "" {
			// JSON: parse again, as YAML, for positions only.
			if src, err := root.ReadFile(m.file, maxFileSize); err == nil {
				var n yaml.Node
				if yaml.Unmarshal(src, &n) == nil {
					node = &n
				}
			}
		}
		m.line = locate(node, m.pending)
	}
	if m.line == 0 && count > 1 {
		m.line = d.line
	}
	if count <= 1 {
		m.document = 0
	}
}

// patternErr names the input a collect error came from.
func patternErr(input string, err error) error {
	var pe *patternError
	if errors.As(err, &pe) {
		return &inputPatternError{input: input, pattern: pe.pattern, err: errors.New(pe.problem)}
	}
	return err
}

// fileErr turns a file's own problem (missing, escaping, not regular, too
// large, unreadable) into bad input of the input that named it; other
// read failures stay I/O errors.
func fileErr(input string, err error) error {
	var fe *fileError
	if !errors.As(err, &fe) {
		return err
	}
	if errors.Is(fe.err, fs.ErrNotExist) || errors.Is(fe.err, fsroot.ErrEscapes) || errors.Is(fe.err, fsroot.ErrNotRegular) ||
		errors.Is(fe.err, fsroot.ErrTooLarge) || errors.Is(fe.err, fs.ErrPermission) {
		return &inputPatternError{input: input, pattern: fe.name, err: errors.New(fileProblem(fe.err))}
	}
	return fmt.Errorf("reading %q (input %s): %w", fe.name, input, fe.err)
}

func fileProblem(err error) string {
	if errors.Is(err, fsroot.ErrTooLarge) {
		return fmt.Sprintf("is too large (%d MiB at most)", maxFileSize>>20)
	}
	if errors.Is(err, fsroot.ErrNotRegular) {
		return "is not a regular file"
	}
	return statProblem(err)
}
