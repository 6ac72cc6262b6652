package waiver

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hubgates/hub/shared/finding"
)

// Syntax says how a scanned file writes comments, which decides where
// ParseInline looks for waivers.
type Syntax int

const (
	// SyntaxYAML is a workflow or action.yml, and the zero value: a
	// comment starts at a "#" at the start of a line or after a space or
	// tab, on its own line or at the end of one. Lines inside block
	// scalars ("run: |") are script text, not YAML comments, and are
	// skipped.
	SyntaxYAML Syntax = iota
	// SyntaxDockerfile is a Dockerfile: only a line whose first non-blank
	// character is "#" is a comment (a "#" later in a line belongs to the
	// instruction).
	SyntaxDockerfile
)

// InlineSyntax is the form of an inline waiver, for messages and docs.
const InlineSyntax = `# hub: ignore[rule-id,...] expires=YYYY-MM-DD reason="why it is accepted"`

// ruleIDRe is what an inline waiver accepts as a rule id: no patterns, so
// an in-source waiver names exactly what it waives.
var ruleIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/:-]*$`)

// ParseInline finds the inline waivers in src, the content of the scanned
// file at path (repository-relative). A waiver is a comment
//
//	# hub: ignore[rule-id,other-rule] expires=YYYY-MM-DD reason="why"
//
// where reason may also be unquoted, taking the rest of the line, and the
// two keys come in either order. A comment at the end of a line waives
// findings on that line; a comment on its own line waives the next line
// that is neither blank nor a comment. Each rule named gives one Waiver of
// kind KindInSource, placed at the comment.
//
// A comment that starts "hub: ignore" but cannot be accepted (no rule, no
// reason, no or a bad expires date, an unknown key, an expiry more than
// the policy's maximum ahead, nothing after it to waive) waives nothing and
// is returned as an invalid-waiver finding at the comment. Comments that
// do not start "hub: ignore" are not looked at.
func (p *Policy) ParseInline(path string, src []byte, syntax Syntax) ([]Waiver, []finding.Finding) {
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	var inBlock []bool
	if syntax != SyntaxDockerfile {
		inBlock = blockScalarLines(lines)
	}
	skippable := func(i int) bool { // blank, a comment line, or block text
		t := strings.TrimSpace(lines[i])
		return t == "" || strings.HasPrefix(t, "#")
	}
	var ws []Waiver
	var bad []finding.Finding
	for i, line := range lines {
		if inBlock != nil && inBlock[i] {
			continue
		}
		at := commentStart(line, syntax)
		if at < 0 || !isDirective(line[at+1:]) {
			continue
		}
		src := Position{Path: path, Line: i + 1, Col: at + 1}
		invalid := func(problem string) {
			bad = append(bad, finding.Finding{
				Rule:     InvalidRule.ID,
				Severity: InvalidRule.Severity,
				Message:  fmt.Sprintf("inline waiver waives nothing: %s; write %s", problem, InlineSyntax),
				Path:     path, Line: src.Line, Col: src.Col,
				Fingerprint: finding.Fingerprint(InvalidRule.ID, path, strings.TrimSpace(line[at:])),
			})
		}
		d, err := parseDirective(line[at+1:])
		if err != nil {
			invalid(err.Error())
			continue
		}
		target := i + 1
		if strings.TrimSpace(line[:at]) == "" {
			target = 0
			for j := i + 1; j < len(lines); j++ {
				if !skippable(j) {
					target = j + 1
					break
				}
			}
			if target == 0 {
				invalid("no line follows it to waive")
				continue
			}
		}
		var group []Waiver
		for _, id := range d.rules {
			group = append(group, Waiver{
				Kind: KindInSource, Rule: id, Path: escapeGlob(path), Line: target,
				Reason: d.reason, Expires: d.expires, Source: src,
			})
		}
		if err := p.Check(group[0]); err != nil {
			invalid(err.Error())
			continue
		}
		ws = append(ws, group...)
	}
	return ws, bad
}

// commentStart returns the index of the "#" that starts line's comment, or
// -1 when the line has none.
func commentStart(line string, syntax Syntax) int {
	if syntax == SyntaxDockerfile {
		t := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(t, "#") {
			return len(line) - len(t)
		}
		return -1
	}
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return i
		}
	}
	return -1
}

// isDirective reports whether comment (the text after "#") is meant as a
// hub waiver: "hub:" then "ignore" not followed by a letter. Other "hub:"
// comments are left alone.
func isDirective(comment string) bool {
	t := strings.TrimLeft(comment, " \t")
	rest, ok := strings.CutPrefix(t, "hub:")
	if !ok {
		return false
	}
	rest, ok = strings.CutPrefix(strings.TrimLeft(rest, " \t"), "ignore")
	if !ok {
		return false
	}
	r := []rune(rest + " ")[0]
	return !unicode.IsLetter(r)
}

// directive is a parsed inline waiver.
type directive struct {
	rules   []string
	reason  string
	expires time.Time
}

// parseDirective reads "hub: ignore[...] key=value ..." from comment, the
// text after "#".
func parseDirective(comment string) (directive, error) {
	var d directive
	t := strings.TrimLeft(comment, " \t")
	t = strings.TrimLeft(strings.TrimPrefix(t, "hub:"), " \t")
	t = strings.TrimPrefix(t, "ignore")
	if !strings.HasPrefix(t, "[") {
		return d, errors.New(`expected "[" and the rule ids right after "ignore"`)
	}
	end := strings.IndexByte(t, ']')
	if end < 0 {
		return d, errors.New(`the rule list has no closing "]"`)
	}
	if strings.TrimSpace(t[1:end]) == "" {
		return d, errors.New(`no rule id between "[" and "]"`)
	}
	seen := map[string]bool{}
	for id := range strings.SplitSeq(t[1:end], ",") {
		id = strings.TrimSpace(id)
		if !ruleIDRe.MatchString(id) {
			return d, fmt.Errorf("rule %q is not a rule id", id)
		}
		if !seen[id] {
			seen[id] = true
			d.rules = append(d.rules, id)
		}
	}
	rest := t[end+1:]
	var haveReason, haveExpires bool
	for {
		rest = strings.TrimLeft(rest, " \t")
		if rest == "" {
			break
		}
		eq := strings.IndexByte(rest, '=')
		key := ""
		if eq > 0 {
			key = rest[:eq]
		}
		switch key {
		case "reason":
			if haveReason {
				return d, errors.New("reason is given twice")
			}
			haveReason = true
			rest = rest[eq+1:]
			if strings.HasPrefix(rest, `"`) {
				q, err := strconv.QuotedPrefix(rest)
				if err != nil {
					return d, fmt.Errorf("reason %s is not a complete quoted string", rest)
				}
				d.reason, _ = strconv.Unquote(q)
				rest = rest[len(q):]
				if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
					return d, fmt.Errorf("expected a space after the quoted reason, got %q", rest)
				}
			} else {
				d.reason, rest = strings.TrimSpace(rest), ""
			}
			if strings.TrimSpace(d.reason) == "" {
				return d, errors.New("reason is empty: say why the finding is accepted")
			}
		case "expires":
			if haveExpires {
				return d, errors.New("expires is given twice")
			}
			haveExpires = true
			rest = rest[eq+1:]
			v := rest
			if i := strings.IndexAny(rest, " \t"); i >= 0 {
				v, rest = rest[:i], rest[i:]
			} else {
				rest = ""
			}
			date, err := parseDate(v)
			if err != nil {
				return d, fmt.Errorf("expires: %v", err)
			}
			d.expires = date
		default:
			word, _, _ := strings.Cut(rest, " ")
			return d, fmt.Errorf("expected expires=YYYY-MM-DD or reason=..., got %q", word)
		}
	}
	switch {
	case !haveExpires && strings.Contains(d.reason, "expires="):
		return d, errors.New("expires=YYYY-MM-DD is missing: an unquoted reason takes the rest of the line, so quote the reason or put expires first")
	case !haveExpires:
		return d, errors.New("expires=YYYY-MM-DD is missing")
	case !haveReason:
		return d, errors.New("reason=... is missing")
	}
	return d, nil
}

// blockStartRe matches a line (comment removed) that opens a block scalar
// ("run: |", "- key: >-", "- |"), capturing the indent, the sequence
// dashes and the key.
var blockStartRe = regexp.MustCompile(`^( *)((?:- +)*)(?:([^ #\-"'][^#]*?|"[^"]*"|'[^']*'): +)?[|>][-+1-9]{0,2}$`)

// blockScalarLines marks the lines that are the text of a YAML block
// scalar: after a line that opens one, every following line that is blank
// or indented deeper than the node that owns the scalar. Such lines are
// string content ("run:" scripts), so a "#" there is not a YAML comment.
func blockScalarLines(lines []string) []bool {
	in := make([]bool, len(lines))
	parent := -1
	for i, line := range lines {
		if parent >= 0 {
			if strings.TrimSpace(line) == "" || indentOf(line) > parent {
				in[i] = true
				continue
			}
			parent = -1
		}
		code := line
		if at := commentStart(line, SyntaxYAML); at >= 0 {
			code = line[:at]
		}
		m := blockStartRe.FindStringSubmatchIndex(strings.TrimRight(code, " \t"))
		switch {
		case m == nil:
		case m[6] >= 0: // "key: |": deeper than the key
			parent = m[6]
		case m[5] > m[4]: // "- |": deeper than the last dash
			parent = m[4] + strings.LastIndex(code[m[4]:m[5]], "-")
		}
	}
	return in
}

func indentOf(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }
