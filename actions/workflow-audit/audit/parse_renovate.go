package audit

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// renovateFile is a parsed Renovate configuration (JSON, read with yaml.v3,
// of which JSON is a subset, for the positions).
type renovateFile struct {
	*sourceFile
	root *yaml.Node
	// extends are the presets, as written.
	extends []scalar
	// actions is the "github-actions" manager object, or nil.
	actions *yaml.Node
	// rules are the packageRules that apply to the github-actions manager:
	// those that match it by manager or match no manager at all.
	rules []*yaml.Node
}

// parseRenovate reads a Renovate configuration.
func parseRenovate(sf *sourceFile) *renovateFile {
	rf := &renovateFile{sourceFile: sf}
	root, err := parseYAML(sf.src)
	if err != nil {
		p, msg := yamlErrorAt(sf.src, err)
		sf.addProblem(p, "json:"+msg, fmt.Sprintf("the Renovate configuration is not valid JSON: %s; fix the syntax", msg))
		return rf
	}
	root = deref(root)
	if root == nil || root.Kind != yaml.MappingNode {
		sf.addProblem(pos{1, 1}, "root-not-object", "the Renovate configuration must be a JSON object; fix the top level")
		return rf
	}
	rf.root = root
	rf.extends = scalarList(root, "extends")
	_, rf.actions = mappingValue(root, "github-actions")
	if _, prs := mappingValue(root, "packageRules"); prs != nil && prs.Kind == yaml.SequenceNode {
		for _, pr := range prs.Content {
			pr = deref(pr)
			if pr == nil || pr.Kind != yaml.MappingNode {
				continue
			}
			managers := scalarList(pr, "matchManagers")
			if len(managers) == 0 && !matchesOthers(pr) || slices.ContainsFunc(managers, func(s scalar) bool { return s.value == "github-actions" }) {
				rf.rules = append(rf.rules, pr)
			}
		}
	}
	return rf
}

// matchesOthers reports whether a package rule without matchManagers still
// narrows itself to something other than actions (a datasource, a
// category, a package name): such a rule is not taken to cover actions.
func matchesOthers(pr *yaml.Node) bool {
	for i := 0; i+1 < len(pr.Content); i += 2 {
		k := pr.Content[i].Value
		if strings.HasPrefix(k, "match") && k != "matchUpdateTypes" && k != "matchManagers" {
			if k == "matchDepTypes" && slices.ContainsFunc(scalarList(pr, k), func(s scalar) bool { return s.value == "action" }) {
				continue
			}
			return true
		}
	}
	return false
}

// scalarList reads n[key] as a list of strings (a lone string counts as
// one).
func scalarList(n *yaml.Node, key string) []scalar {
	_, v := mappingValue(n, key)
	v = deref(v)
	if v == nil {
		return nil
	}
	if s := scalarOf(v); s != nil {
		return []scalar{*s}
	}
	var out []scalar
	if v.Kind == yaml.SequenceNode {
		for _, it := range v.Content {
			if s := scalarOf(it); s != nil {
				out = append(out, *s)
			}
		}
	}
	return out
}

// extended reports whether the configuration extends one of presets.
func (rf *renovateFile) extended(presets ...string) (scalar, bool) {
	for _, e := range rf.extends {
		if slices.Contains(presets, e.value) {
			return e, true
		}
	}
	return scalar{}, false
}

// setting finds key for the github-actions manager: in the manager object,
// in a package rule that applies to it, or at the top, most specific
// first, as Renovate merges them.
func (rf *renovateFile) setting(key string) *yaml.Node {
	if _, v := mappingValue(rf.actions, key); v != nil {
		return deref(v)
	}
	for i := len(rf.rules) - 1; i >= 0; i-- {
		if _, v := mappingValue(rf.rules[i], key); v != nil {
			return deref(v)
		}
	}
	_, v := mappingValue(rf.root, key)
	return deref(v)
}

// isTrue reports whether n is the JSON value true.
func isTrue(n *yaml.Node) bool { return n != nil && n.Kind == yaml.ScalarNode && n.Value == "true" }

// releaseAgeDays parses a Renovate duration ("7 days", "1 week",
// "72 hours", "3d") into days; ok is false when it is not one.
func releaseAgeDays(s string) (float64, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, false
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, false
	}
	switch strings.TrimSpace(s[i:]) {
	case "d", "day", "days":
		return n, true
	case "w", "week", "weeks":
		return n * 7, true
	case "h", "hour", "hours", "hr", "hrs":
		return n / 24, true
	case "m", "min", "mins", "minute", "minutes":
		return n / 1440, true
	case "month", "months":
		return n * 30, true
	}
	return 0, false
}
