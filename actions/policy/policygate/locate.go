package policygate

import (
	"encoding/json"
	"strconv"

	"gopkg.in/yaml.v3"
)

// locate returns the line of the value that path (object keys and array
// indices, as a policy's _loc.path gives them) names in a parsed
// document, or the line of the deepest value it reaches when the path
// goes further than the document; 0 when nothing matches.
func locate(doc *yaml.Node, path []any) int {
	n := doc
	if n == nil {
		return 0
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, p := range path {
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		next := child(n, p)
		if next == nil {
			return line
		}
		n, line = next, next.Line
	}
	return line
}

// child returns the value under a key of a mapping or an index of a
// sequence.
func child(n *yaml.Node, p any) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		key, ok := p.(string)
		if !ok {
			key = pathIndexString(p)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
	case yaml.SequenceNode:
		i, ok := pathIndex(p)
		if ok && i >= 0 && i < len(n.Content) {
			return n.Content[i]
		}
	}
	return nil
}

func pathIndex(p any) (int, bool) {
	switch v := p.(type) {
	case json.Number:
		i, err := strconv.Atoi(string(v))
		return i, err == nil
	case float64:
		return int(v), v == float64(int(v))
	case int:
		return v, true
	case string:
		i, err := strconv.Atoi(v)
		return i, err == nil
	}
	return 0, false
}

func pathIndexString(p any) string {
	if i, ok := pathIndex(p); ok {
		return strconv.Itoa(i)
	}
	return ""
}
