package policygate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"gopkg.in/yaml.v3"
)

// aliasAllowance is how many values aliases may add to a YAML file beyond
// one per byte of it: a file may expand to about its own size plus this,
// so a "billion laughs" file is refused at once instead of eating the
// memory, while a file without aliases never comes near the bound.
const aliasAllowance = 100_000

// maxDepth bounds nesting, for the same reason.
const maxDepth = 1000

// document is one document of an input file, ready for evaluation.
type document struct {
	value ast.Value
	// node is the parsed YAML document, for placing values on lines; nil
	// for JSON, which is parsed again only when a result needs a line.
	node *yaml.Node
	// line is the line the document starts on (0 when unknown).
	line int
}

// parseError is a file that does not parse, with the place when known.
type parseError struct {
	line int
	err  error
}

func (e *parseError) Error() string {
	if e.line > 0 {
		return fmt.Sprintf("line %d: %v", e.line, e.err)
	}
	return e.err.Error()
}

func (e *parseError) Unwrap() error { return e.err }

// isJSON reports whether a file is read as JSON: by its name, or by its
// first character when the name says nothing.
func isJSON(name string, src []byte) bool {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".json"):
		return true
	case strings.HasSuffix(lower, ".yaml"), strings.HasSuffix(lower, ".yml"):
		return false
	}
	t := bytes.TrimLeft(src, " \t\r\n\ufeff")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// parseDocuments reads a file's documents: one for JSON, every non-empty
// document of a YAML stream.
func parseDocuments(name string, src []byte) ([]document, error) {
	if isJSON(name, src) {
		v, err := parseJSON(src)
		if err != nil {
			return nil, err
		}
		return []document{{value: v}}, nil
	}
	return parseYAML(src)
}

// parseJSON reads exactly one JSON value, numbers kept exact.
func parseJSON(src []byte) (ast.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(src, []byte("\ufeff"))))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, jsonError(src, dec, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &parseError{line: lineAt(src, dec.InputOffset()), err: errors.New("more than one JSON value")}
	}
	return ast.InterfaceToValue(v)
}

// jsonError places a JSON syntax error on its line.
func jsonError(src []byte, dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &parseError{line: lineAt(src, se.Offset), err: err}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &parseError{line: lineAt(src, te.Offset), err: err}
	}
	if errors.Is(err, io.EOF) {
		return &parseError{err: errors.New("no JSON value")}
	}
	return &parseError{line: lineAt(src, dec.InputOffset()), err: err}
}

func lineAt(src []byte, off int64) int {
	if off > int64(len(src)) {
		off = int64(len(src))
	}
	return bytes.Count(src[:off], []byte("\n")) + 1
}

// parseYAML reads a YAML stream (YAML 1.2, as GitHub reads workflows),
// skipping empty documents.
func parseYAML(src []byte) ([]document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var docs []document
	budget := len(src) + aliasAllowance
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, yamlError(err)
		}
		if n.Kind == yaml.DocumentNode && (len(n.Content) == 0 || isNullScalar(n.Content[0])) {
			continue
		}
		v, err := nodeValue(&n, 0, &budget)
		if err != nil {
			return nil, err
		}
		line := n.Line
		if len(n.Content) > 0 {
			line = n.Content[0].Line
		}
		docs = append(docs, document{value: v, node: &n, line: line})
	}
}

func isNullScalar(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" && n.Value == ""
}

// yamlError keeps yaml.v3's message, which names the line.
func yamlError(err error) error {
	return &parseError{err: errors.New(strings.TrimPrefix(err.Error(), "yaml: "))}
}

// nodeValue converts a YAML node into a Rego value the way a JSON
// conversion would: mappings become objects with string keys, scalars
// take their resolved type, aliases and merge keys are expanded. A
// mapping that repeats a key is an error: the two readings of such a file
// differ between tools, which is how a deny gets bypassed.
func nodeValue(n *yaml.Node, depth int, budget *int) (ast.Value, error) {
	*budget--
	if *budget < 0 {
		return nil, &parseError{line: n.Line, err: errors.New("expands to far more values than it holds (aliases?)")}
	}
	if depth > maxDepth {
		return nil, &parseError{line: n.Line, err: fmt.Errorf("nested more than %d levels deep", maxDepth)}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return ast.Null{}, nil
		}
		return nodeValue(n.Content[0], depth+1, budget)
	case yaml.AliasNode:
		return nodeValue(n.Alias, depth+1, budget)
	case yaml.SequenceNode:
		terms := make([]*ast.Term, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeValue(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			terms = append(terms, ast.NewTerm(v))
		}
		return ast.NewArray(terms...), nil
	case yaml.MappingNode:
		return mappingValue(n, depth, budget)
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil, &parseError{line: n.Line, err: fmt.Errorf("unsupported YAML node kind %d", n.Kind)}
}

// mappingValue converts a mapping; keys written in the mapping win over
// keys merged in with "<<".
func mappingValue(n *yaml.Node, depth int, budget *int) (ast.Value, error) {
	obj := ast.NewObject()
	own := map[string]bool{}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		key, err := keyString(k)
		if err != nil {
			return nil, err
		}
		if own[key] {
			return nil, &parseError{line: k.Line, err: fmt.Errorf("mapping key %q is defined twice", excerpt(key))}
		}
		own[key] = true
		val, err := nodeValue(v, depth+1, budget)
		if err != nil {
			return nil, err
		}
		obj.Insert(ast.StringTerm(key), ast.NewTerm(val))
	}
	for _, m := range merges {
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			srcs = m.Content
		}
		for _, s := range srcs {
			mv, err := nodeValue(s, depth+1, budget)
			if err != nil {
				return nil, err
			}
			mo, ok := mv.(ast.Object)
			if !ok {
				return nil, &parseError{line: s.Line, err: errors.New("merge key \"<<\" must refer to a mapping")}
			}
			for _, key := range mo.Keys() {
				if obj.Get(key) == nil {
					obj.Insert(key, mo.Get(key))
				}
			}
		}
	}
	return obj, nil
}

func keyString(k *yaml.Node) (string, error) {
	for k.Kind == yaml.AliasNode {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", &parseError{line: k.Line, err: errors.New("a mapping key must be a scalar")}
	}
	return k.Value, nil
}

// scalarValue resolves a scalar by its YAML 1.2 tag.
func scalarValue(n *yaml.Node) (ast.Value, error) {
	switch n.ShortTag() {
	case "!!null":
		return ast.Null{}, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, &parseError{line: n.Line, err: err}
		}
		return ast.Boolean(b), nil
	case "!!int":
		var x any
		if err := n.Decode(&x); err != nil {
			return nil, &parseError{line: n.Line, err: err}
		}
		switch i := x.(type) {
		case int:
			return ast.Number(strconv.Itoa(i)), nil
		case int64:
			return ast.Number(strconv.FormatInt(i, 10)), nil
		case uint64:
			return ast.Number(strconv.FormatUint(i, 10)), nil
		case float64:
			return floatValue(n, i)
		}
		return ast.String(n.Value), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, &parseError{line: n.Line, err: err}
		}
		return floatValue(n, f)
	}
	// Strings, timestamps (kept as written) and any other tag.
	return ast.String(n.Value), nil
}

// jsonNumber is a number as JSON writes it.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// floatValue keeps a float exact as written when it is a plain number;
// infinities and NaN, which JSON cannot hold, stay the text they were.
func floatValue(n *yaml.Node, f float64) (ast.Value, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return ast.String(n.Value), nil
	}
	if jsonNumber.MatchString(n.Value) {
		return ast.Number(n.Value), nil
	}
	return ast.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
}

// excerpt shortens untrusted text for a message.
func excerpt(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
