package waiver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/finding"
)

// Version is the configuration format this package reads ("version: 1").
const Version = 1

// DefaultPath is where a repository keeps its hub configuration.
const DefaultPath = ".github/hub.yml"

// MaxFileSize is the largest configuration file Load reads, in bytes.
const MaxFileSize = 1 << 20

// Gates are the sections a configuration file may have besides "version":
// one per hub gate. A section for any other name is an error, so a
// misspelt gate name cannot silently drop its waivers and settings. A new
// gate that reads the configuration adds its name here (a test checks that
// every gate declaring the config input is listed).
var Gates = []string{
	"workflow-audit",
	"sarif-gate",
	"cache-sentinel",
	"sign",
	"verify-signature",
	"verify-provenance",
	"rekor-monitor",
	"sbom-gate",
	"org-guard",
	"runner-budget",
	"secret-sweep",
}

// SectionKeys are the keys a gate's section may hold besides "rules" and
// "waivers", by gate: settings the gate reads itself (org-guard's desired
// state). The parser keeps their YAML nodes in [GateConfig.Settings]
// unread; the gate parses them as strictly as this package parses the rest.
var SectionKeys = map[string][]string{
	"org-guard":     {"actions", "rulesets", "immutable-releases", "secret-scanning-push-protection", "code-owners", "tokens"},
	"runner-budget": {"groups"},
}

// Config is a parsed configuration file. The zero value (and a nil
// *Config) has no settings and no waivers: what a gate uses when the
// repository has no file.
type Config struct {
	// Name is the file as messages and findings name it.
	Name string
	// Version is the file's format version, [Version].
	Version int
	gates   map[string]GateConfig
}

// Gate returns the section of the named gate; a missing section is empty.
func (c *Config) Gate(name string) GateConfig {
	if c == nil {
		return GateConfig{Gate: name}
	}
	g, ok := c.gates[name]
	if !ok {
		return GateConfig{Gate: name}
	}
	return g
}

// GateConfig is one gate's section: rule settings and waivers.
type GateConfig struct {
	// Gate is the section's name.
	Gate string
	// Rules are the rule settings, in file order.
	Rules []RuleSetting
	// Waivers are the waivers, in file order, all of kind KindExternal.
	Waivers []Waiver
	// Settings are the section's own keys ([SectionKeys]) as YAML nodes,
	// for the gate to parse; nil when the section has none.
	Settings map[string]*yaml.Node
}

// RuleSetting changes one rule of a gate: it turns it off, or reports its
// findings at another severity.
type RuleSetting struct {
	// Rule is the rule id (no patterns).
	Rule string
	// Disabled drops the rule's findings ("enabled: false").
	Disabled bool
	// Severity, when set, replaces the severity of the rule's findings.
	Severity *finding.Severity
	// Source is where the setting is written.
	Source Position
}

// Parse reads a configuration file's content; name is how messages name
// the file. It checks everything and reports every problem at once, each a
// *ParseError naming the file and line: YAML syntax, unknown keys, a
// missing or unsupported version, malformed rule settings and waivers, and
// waivers that expire later than the policy allows. Waivers that have
// already expired are accepted: [Policy.Apply] reports them.
func (p *Policy) Parse(name string, data []byte) (*Config, error) {
	c := &Config{Name: name, gates: map[string]GateConfig{}}
	ps := &parser{name: name, policy: p}
	root, err := ps.document(data)
	if err != nil {
		return nil, err
	}
	if root != nil {
		ps.top(c, root)
	}
	if len(ps.errs) > 0 {
		return nil, errors.Join(ps.errs...)
	}
	return c, nil
}

// parser collects problems while walking one file.
type parser struct {
	name   string
	policy *Policy
	errs   []error
}

func (ps *parser) fail(line int, format string, args ...any) {
	ps.errs = append(ps.errs, &ParseError{Path: ps.name, Line: line, Err: fmt.Errorf(format, args...)})
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): `)

// document parses data into one YAML document and refuses anchors and
// aliases (a configuration has no use for them, and they could hide what a
// waiver really says).
func (ps *parser) document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ParseError{Path: ps.name, Err: fmt.Errorf("%w: the file is empty; start it with \"version: %d\"", ErrMissing, Version)}
		}
		line := 0
		msg := err.Error()
		if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = msg[len(m[0]):]
		}
		return nil, &ParseError{Path: ps.name, Line: line, Err: fmt.Errorf("%w: %s", ErrSyntax, strings.TrimPrefix(msg, "yaml: "))}
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, &ParseError{Path: ps.name, Line: next.Line, Err: fmt.Errorf("%w: the file holds more than one YAML document", ErrSyntax)}
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode || n.Anchor != "" {
			ps.fail(n.Line, "%w: anchors and aliases are not supported; write each value out", ErrSyntax)
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	if len(ps.errs) > 0 {
		return nil, errors.Join(ps.errs...)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

// mapping checks that n is a mapping with scalar, unique keys from known
// and returns its values by key with the key nodes. where names n in
// messages.
func (ps *parser) mapping(n *yaml.Node, where string, known ...string) (map[string]*yaml.Node, map[string]*yaml.Node, bool) {
	if n.Kind != yaml.MappingNode {
		ps.fail(n.Line, "%w: %s: expected a mapping, got %s", ErrSyntax, where, kindName(n))
		return nil, nil, false
	}
	vals, keys := map[string]*yaml.Node{}, map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			ps.fail(k.Line, "%w: %s: expected a plain key, got %s", ErrSyntax, where, kindName(k))
			continue
		}
		if _, dup := vals[k.Value]; dup {
			ps.fail(k.Line, "%w: %s: key %q is given twice (first on line %d)", ErrSyntax, where, k.Value, keys[k.Value].Line)
			continue
		}
		if known != nil && !slices.Contains(known, k.Value) {
			ps.fail(k.Line, "%w %q in %s: expected one of %s", ErrUnknownKey, k.Value, where, strings.Join(known, ", "))
			continue
		}
		vals[k.Value], keys[k.Value] = v, k
	}
	return vals, keys, true
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "an alias"
}

// scalar returns n's text, or reports that it is not a scalar.
func (ps *parser) scalar(n *yaml.Node, where string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		ps.fail(n.Line, "%w: %s: expected a value, got %s", ErrBadValue, where, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (ps *parser) top(c *Config, root *yaml.Node) {
	known := append([]string{"version"}, Gates...)
	vals, keys, ok := ps.mapping(root, "the configuration", known...)
	if !ok {
		return
	}
	if v, ok := vals["version"]; !ok {
		ps.fail(root.Line, "%w: version: expected \"version: %d\" at the top of the file", ErrMissing, Version)
	} else if s, ok := ps.scalar(v, "version"); ok {
		if n, err := strconv.Atoi(s); err != nil || n != Version || v.Tag != "!!int" {
			ps.fail(v.Line, "%w: expected %q, got %q", ErrVersion, strconv.Itoa(Version), s)
		} else {
			c.Version = n
		}
	}
	for _, name := range Gates {
		if v, ok := vals[name]; ok {
			c.gates[name] = ps.gate(name, v, keys[name].Line)
		}
	}
}

func (ps *parser) gate(name string, n *yaml.Node, line int) GateConfig {
	g := GateConfig{Gate: name}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return g // an empty section is allowed: "workflow-audit:"
	}
	vals, _, ok := ps.mapping(n, "section "+strconv.Quote(name), append([]string{"rules", "waivers"}, SectionKeys[name]...)...)
	if !ok {
		return g
	}
	for _, k := range SectionKeys[name] {
		if v, ok := vals[k]; ok {
			if g.Settings == nil {
				g.Settings = map[string]*yaml.Node{}
			}
			g.Settings[k] = v
		}
	}
	if rules, ok := vals["rules"]; ok {
		g.Rules = ps.rules(name, rules)
	}
	if ws, ok := vals["waivers"]; ok {
		g.Waivers = ps.waivers(name, ws)
	}
	return g
}

func (ps *parser) rules(gate string, n *yaml.Node) []RuleSetting {
	vals, keys, ok := ps.mapping(n, gate+".rules")
	if !ok {
		return nil
	}
	var out []RuleSetting
	for i := 0; i+1 < len(n.Content); i += 2 {
		id := n.Content[i].Value
		v, known := vals[id]
		if !known || keys[id] != n.Content[i] {
			continue // a duplicate, already reported
		}
		where := gate + ".rules." + id
		rs := RuleSetting{Rule: id, Source: Position{Path: ps.name, Line: keys[id].Line, Col: keys[id].Column}}
		if strings.ContainsFunc(id, func(r rune) bool { return r == '*' || r == ' ' }) || id == "" {
			ps.fail(keys[id].Line, "%w: %s: expected a rule id, got %q", ErrBadValue, gate+".rules", id)
			continue
		}
		fields, _, ok := ps.mapping(v, where, "enabled", "severity")
		if !ok {
			continue
		}
		if len(fields) == 0 {
			ps.fail(v.Line, "%w: %s: set enabled: false or a severity", ErrMissing, where)
			continue
		}
		if e, ok := fields["enabled"]; ok {
			if s, ok := ps.scalar(e, where+".enabled"); ok {
				switch {
				case e.Tag == "!!bool" && strings.EqualFold(s, "false"):
					rs.Disabled = true
				case e.Tag == "!!bool" && strings.EqualFold(s, "true"):
				default:
					ps.fail(e.Line, "%w: %s.enabled: expected true or false, got %q", ErrBadValue, where, s)
				}
			}
		}
		if sv, ok := fields["severity"]; ok {
			if s, ok := ps.scalar(sv, where+".severity"); ok {
				sev, err := finding.ParseSeverity(s)
				if err != nil {
					ps.fail(sv.Line, "%w: %s.severity: %v", ErrBadValue, where, err)
				} else {
					rs.Severity = &sev
				}
			}
			if rs.Disabled {
				ps.fail(sv.Line, "%w: %s: a disabled rule takes no severity", ErrBadValue, where)
			}
		}
		out = append(out, rs)
	}
	return out
}

func (ps *parser) waivers(gate string, n *yaml.Node) []Waiver {
	if n.Kind != yaml.SequenceNode {
		ps.fail(n.Line, "%w: %s.waivers: expected a list, got %s", ErrSyntax, gate, kindName(n))
		return nil
	}
	var out []Waiver
	for i, item := range n.Content {
		where := fmt.Sprintf("%s.waivers[%d]", gate, i)
		vals, _, ok := ps.mapping(item, where, "rule", "path", "line", "job", "fingerprint", "reason", "expires")
		if !ok {
			continue
		}
		w := Waiver{Kind: KindExternal, Source: Position{Path: ps.name, Line: item.Line, Col: item.Column}}
		okAll := true
		str := func(key string, dst *string) {
			if v, ok := vals[key]; ok {
				s, ok := ps.scalar(v, where+"."+key)
				okAll = okAll && ok
				*dst = strings.TrimSpace(s)
			}
		}
		str("rule", &w.Rule)
		str("path", &w.Path)
		str("job", &w.Job)
		str("fingerprint", &w.Fingerprint)
		str("reason", &w.Reason)
		if v, ok := vals["line"]; ok {
			if s, ok := ps.scalar(v, where+".line"); ok {
				n, err := strconv.Atoi(s)
				if err != nil || n < 1 || v.Tag != "!!int" {
					ps.fail(v.Line, "%w: %s.line: expected a line number (1 or more), got %q", ErrBadValue, where, s)
					okAll = false
				}
				w.Line = n
			} else {
				okAll = false
			}
		}
		if v, ok := vals["expires"]; ok {
			if s, ok := ps.scalar(v, where+".expires"); ok {
				d, err := parseDate(s)
				if err != nil {
					ps.fail(v.Line, "%s.expires: %w", where, err)
					okAll = false
				}
				w.Expires = d
			} else {
				okAll = false
			}
		}
		if !okAll {
			continue
		}
		if err := ps.policy.Check(w); err != nil {
			line := item.Line
			if v, ok := vals["expires"]; ok && errors.Is(err, ErrTooLong) {
				line = v.Line
			}
			ps.fail(line, "%s: %w", where, err)
			continue
		}
		out = append(out, w)
	}
	return out
}
