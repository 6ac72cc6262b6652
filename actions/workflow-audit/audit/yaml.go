package audit

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"
)

// parseYAML parses src into a yaml.v3 node tree, recovering from panics in
// the YAML library. The returned node is the first document's root (nil for
// an empty document).
func parseYAML(src []byte) (root *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return doc.Content[0], nil
	}
	return nil, nil
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlErrorAt turns a yaml.v3 error into a message and position. yaml.v3
// only reports a line, so the column is taken from actionlint's YAML parser
// (go.yaml.in/yaml/v4) when it fails on the same line.
func yamlErrorAt(src []byte, err error) (pos, string) {
	msg := err.Error()
	var p pos
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		p.line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	if _, errs, _ := parseActionlint(src); len(errs) > 0 && errs[0].Line == p.line && strings.HasPrefix(errs[0].Message, "could not parse as YAML") {
		p.col = errs[0].Column
	}
	return p, msg
}

// parseActionlint runs actionlint.Parse, turning a panic (actionlint's own
// fuzzing notes that go-yaml can panic) into an error.
func parseActionlint(src []byte) (w *actionlint.Workflow, errs []*actionlint.Error, perr error) {
	defer func() {
		if r := recover(); r != nil {
			w, errs, perr = nil, nil, fmt.Errorf("%v", r)
		}
	}()
	w, errs = actionlint.Parse(src)
	return w, errs, nil
}

// yamlNodeCount returns how many nodes the tree below n has once aliases
// are expanded, saturating just above limit so alias bombs are cheap to
// measure. Recursive aliases count as one node.
func yamlNodeCount(n *yaml.Node, limit int) int {
	memo := map[*yaml.Node]int{}
	var count func(*yaml.Node) int
	count = func(n *yaml.Node) int {
		if n == nil {
			return 0
		}
		if n.Kind == yaml.AliasNode {
			return count(n.Alias)
		}
		if c, ok := memo[n]; ok {
			return c
		}
		memo[n] = 1 // in progress: a recursive alias counts as one node
		total := 1
		for _, c := range n.Content {
			total += count(c)
			if total > limit {
				total = limit + 1
				break
			}
		}
		memo[n] = total
		return total
	}
	return count(n)
}

// deref follows aliases (bounded, in case of cycles).
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

// mappingValue returns the value for key (compared case-insensitively, as
// actionlint does) in mapping n, with its key node.
func mappingValue(n *yaml.Node, key string) (k, v *yaml.Node) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if kn := deref(n.Content[i]); kn != nil && kn.Kind == yaml.ScalarNode && strings.EqualFold(kn.Value, key) {
			return kn, deref(n.Content[i+1])
		}
	}
	return nil, nil
}

func nodePos(n *yaml.Node) pos { return pos{n.Line, n.Column} }

// scalarOf returns n as a scalar, or nil when n is not a non-empty scalar.
func scalarOf(n *yaml.Node) *scalar {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" || n.Value == "" {
		return nil
	}
	return &scalar{value: n.Value, pos: nodePos(n)}
}
