package audit

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// This file is a small Dockerfile reader: just enough of the Dockerfile
// syntax to find the images a build pulls. It understands parser directives
// (escape=), comments, line continuations (with comment and blank lines
// inside them dropped, as BuildKit does), here-documents on RUN/COPY/ADD
// (whose bodies are skipped), global ARGs with defaults (substituted into
// FROM lines: $VAR, ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word},
// ${VAR+word}), stage-scoped ARGs (substituted into COPY --from), FROM flags
// such as --platform=, and "AS name" stage names.

// dfSegment is one physical line's part of a logical line.
type dfSegment struct {
	off  int    // byte offset of the segment in the logical line
	line int    // 1-based line number
	text string // the physical line's text in the logical line
}

// dfLine is one logical line (one instruction).
type dfLine struct {
	text string
	segs []dfSegment
}

// posAt maps a byte offset in the logical line to a file position.
func (l *dfLine) posAt(off int) pos {
	s := l.segs[0]
	for _, seg := range l.segs[1:] {
		if seg.off > off {
			break
		}
		s = seg
	}
	o := min(max(off-s.off, 0), len(s.text))
	return pos{s.line, utf8.RuneCountInString(s.text[:o]) + 1}
}

// dfWord is a whitespace-separated word with its offset in the logical line.
type dfWord struct {
	text string
	off  int
}

func dfWords(s string, from int) []dfWord {
	var ws []dfWord
	i := from
	for i < len(s) {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		if j > i {
			ws = append(ws, dfWord{s[i:j], i})
		}
		i = j
	}
	return ws
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }

var directiveRe = regexp.MustCompile(`^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(\S+)\s*$`)

// dockerfileLines splits src into logical lines, skipping comments and
// here-document bodies.
func dockerfileLines(src string) []dfLine {
	src = strings.TrimPrefix(src, "\ufeff")
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	escape := byte('\\')
	for _, l := range lines {
		m := directiveRe.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			break
		}
		if strings.EqualFold(m[1], "escape") && (m[2] == "`" || m[2] == `\`) {
			escape = m[2][0]
		}
	}
	skippable := func(l string) bool {
		t := strings.TrimSpace(l)
		return t == "" || t[0] == '#'
	}
	var out []dfLine
	for i := 0; i < len(lines); {
		if skippable(lines[i]) {
			i++
			continue
		}
		var b strings.Builder
		var segs []dfSegment
		for {
			body := strings.TrimRight(lines[i], " \t")
			cont := body != "" && body[len(body)-1] == escape
			if cont {
				body = body[:len(body)-1]
			}
			segs = append(segs, dfSegment{off: b.Len(), line: i + 1, text: body})
			b.WriteString(body)
			i++
			if !cont {
				break
			}
			for i < len(lines) && skippable(lines[i]) {
				i++
			}
			if i >= len(lines) {
				break
			}
		}
		l := dfLine{text: b.String(), segs: segs}
		out = append(out, l)
		if ws := dfWords(l.text, 0); len(ws) > 0 {
			switch strings.ToUpper(ws[0].text) {
			case "RUN", "COPY", "ADD":
				for _, h := range heredocs(l.text) {
					for i < len(lines) {
						body := lines[i]
						i++
						if h.stripTabs {
							body = strings.TrimLeft(body, "\t")
						}
						if body == h.word {
							break
						}
					}
				}
			}
		}
	}
	return out
}

type heredoc struct {
	word      string
	stripTabs bool
}

// heredocs finds here-document markers (<<WORD, <<-WORD, <<"WORD",
// <<'WORD') in an instruction, in order.
func heredocs(s string) []heredoc {
	var hs []heredoc
	for j := 0; j+2 < len(s); j++ {
		if s[j] != '<' || s[j+1] != '<' || (j > 0 && s[j-1] == '<') {
			continue
		}
		k := j + 2
		h := heredoc{}
		if k < len(s) && s[k] == '-' {
			h.stripTabs = true
			k++
		}
		var quote byte
		if k < len(s) && (s[k] == '"' || s[k] == '\'') {
			quote = s[k]
			k++
		}
		start := k
		for k < len(s) && (s[k] == '_' || isAlnum(s[k])) {
			k++
		}
		if k == start || (s[start] >= '0' && s[start] <= '9') {
			continue
		}
		h.word = s[start:k]
		if quote != 0 {
			if k >= len(s) || s[k] != quote {
				continue
			}
			k++
		}
		hs = append(hs, h)
		j = k - 1
	}
	return hs
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// argVars is a build-argument scope: a name maps to its value, or is absent.
type argVars map[string]string

// parseArgs reads "ARG name[=value] ..." words into scope, expanding each
// value with the scope so far. inherit supplies values for bare names (a
// stage's "ARG NAME" re-imports a global default).
func parseArgs(rest string, scope, inherit argVars) {
	for _, w := range splitQuoted(rest) {
		name, val, hasVal := strings.Cut(w, "=")
		if name == "" {
			continue
		}
		if !hasVal {
			if v, ok := inherit[name]; ok {
				scope[name] = v
			}
			continue
		}
		v, unresolved := expandVars(unquote(val), scope)
		if len(unresolved) == 0 {
			scope[name] = v
		} else {
			delete(scope, name)
		}
	}
}

// splitQuoted splits on whitespace outside single or double quotes.
func splitQuoted(s string) []string {
	var out []string
	var b strings.Builder
	var quote byte
	in := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			b.WriteByte(c)
		case c == '"' || c == '\'':
			quote = c
			in = true
			b.WriteByte(c)
		case isSpace(c):
			if in {
				out = append(out, b.String())
				b.Reset()
				in = false
			}
		default:
			in = true
			b.WriteByte(c)
		}
	}
	if in {
		out = append(out, b.String())
	}
	return out
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// expandVars substitutes build arguments in s. References to names without
// a value, and forms it does not understand, are kept as written and their
// names returned.
func expandVars(s string, vars argVars) (string, []string) {
	var b strings.Builder
	var unresolved []string
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' && i+1 < len(s) && s[i+1] == '$' {
			b.WriteByte('$')
			i += 2
			continue
		}
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		if s[i+1] == '{' {
			end := closingBrace(s[i:])
			if end < 0 {
				b.WriteString(s[i:])
				unresolved = append(unresolved, s[i+2:])
				break
			}
			body := s[i+2 : i+end]
			name, op, word := splitParam(body)
			v, set := vars[name]
			switch {
			case name == "":
				b.WriteString(s[i : i+end+1])
				unresolved = append(unresolved, body)
			case op == "":
				if set {
					b.WriteString(v)
				} else {
					b.WriteString(s[i : i+end+1])
					unresolved = append(unresolved, name)
				}
			case op == ":-" || op == "-":
				if set && (op == "-" || v != "") {
					b.WriteString(v)
				} else {
					w, u := expandVars(word, vars)
					b.WriteString(w)
					unresolved = append(unresolved, u...)
				}
			case op == ":+" || op == "+":
				if set && (op == "+" || v != "") {
					w, u := expandVars(word, vars)
					b.WriteString(w)
					unresolved = append(unresolved, u...)
				}
			default:
				b.WriteString(s[i : i+end+1])
				unresolved = append(unresolved, name)
			}
			i += end + 1
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '_' || isAlnum(s[j])) {
			j++
		}
		if j == i+1 {
			b.WriteByte(c)
			i++
			continue
		}
		name := s[i+1 : j]
		if v, ok := vars[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i:j])
			unresolved = append(unresolved, name)
		}
		i = j
	}
	return b.String(), unresolved
}

// closingBrace returns the index in s (which starts with "${") of the "}"
// that closes it, allowing nested "${...}" in a default word, or -1.
func closingBrace(s string) int {
	depth := 0
	for j := 0; j < len(s); j++ {
		switch {
		case s[j] == '$' && j+1 < len(s) && s[j+1] == '{':
			depth++
			j++
		case s[j] == '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// splitParam splits "NAME", "NAME:-word", "NAME-word", "NAME:+word",
// "NAME+word"; any other operator is returned as op "?".
func splitParam(body string) (name, op, word string) {
	j := 0
	for j < len(body) && (body[j] == '_' || isAlnum(body[j])) {
		j++
	}
	name, rest := body[:j], body[j:]
	switch {
	case rest == "":
		return name, "", ""
	case strings.HasPrefix(rest, ":-"), strings.HasPrefix(rest, ":+"):
		return name, rest[:2], rest[2:]
	case rest[0] == '-' || rest[0] == '+':
		return name, rest[:1], rest[1:]
	}
	return name, "?", ""
}

var onlyVariableRe = regexp.MustCompile(`^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$`)

// parseDockerfile finds the images a Dockerfile pulls.
func parseDockerfile(sf *sourceFile) *dockerfileFile {
	df := &dockerfileFile{sourceFile: sf}
	global := argVars{}
	var stage argVars // nil before the first FROM
	var stages []string
	froms := 0
	isStage := func(name string) bool {
		for _, s := range stages {
			if strings.EqualFold(s, name) {
				return true
			}
		}
		return false
	}
	for _, l := range dockerfileLines(string(sf.src)) {
		ws := dfWords(l.text, 0)
		if len(ws) == 0 {
			continue
		}
		args := ws[1:]
		rest := ""
		if len(args) > 0 {
			rest = l.text[args[0].off:]
		}
		switch strings.ToUpper(ws[0].text) {
		case "ARG":
			if stage == nil {
				parseArgs(rest, global, nil)
			} else {
				parseArgs(rest, stage, global)
			}
		case "FROM":
			froms++
			stage = argVars{}
			img := &dockerImage{instr: "FROM"}
			for len(args) > 0 && strings.HasPrefix(args[0].text, "--") {
				if v, ok := strings.CutPrefix(args[0].text, "--platform="); ok {
					img.platform = v
				}
				args = args[1:]
			}
			if len(args) == 0 {
				sf.addProblem(l.posAt(ws[0].off), "from-without-image", "missing image in FROM; write \"FROM <image>@sha256:<digest>\"")
				continue
			}
			if len(args) == 3 && strings.EqualFold(args[1].text, "as") {
				img.stage = args[2].text
			} else if len(args) != 1 {
				sf.addProblem(l.posAt(ws[0].off), "from-arguments:"+l.text[ws[0].off:], fmt.Sprintf("unexpected arguments in FROM %q; write \"FROM [--platform=...] <image> [AS <name>]\"", rest))
			}
			df.addImage(img, args[0], &l, global, isStage)
			if img.stage != "" {
				stages = append(stages, img.stage)
			}
		case "COPY":
			for _, a := range args {
				if !strings.HasPrefix(a.text, "--") {
					break
				}
				v, ok := strings.CutPrefix(a.text, "--from=")
				if !ok || v == "" {
					continue
				}
				scope := stage
				if scope == nil {
					scope = global
				}
				img := &dockerImage{instr: "COPY --from"}
				df.addImage(img, dfWord{v, a.off + len("--from=")}, &l, scope, func(name string) bool {
					return isStage(name) || isNumber(name)
				})
			}
		}
	}
	if froms == 0 {
		sf.addProblem(pos{}, "no-from", "no FROM instruction, so docker cannot build it; start the build with \"FROM <image>@sha256:<digest>\"")
	}
	return df
}

func (df *dockerfileFile) addImage(img *dockerImage, w dfWord, l *dfLine, vars argVars, isStage func(string) bool) {
	img.raw = scalar{value: w.text, pos: l.posAt(w.off)}
	img.resolved, img.unresolved = expandVars(w.text, vars)
	img.onlyVariable = len(img.unresolved) > 0 && onlyVariableRe.MatchString(w.text)
	if len(img.unresolved) == 0 && img.resolved == "" {
		img.onlyVariable = true // an empty default: there is nothing to check
	}
	if len(img.unresolved) == 0 {
		img.scratch = img.instr == "FROM" && strings.EqualFold(img.resolved, "scratch")
		img.stageRef = isStage(img.resolved)
	}
	df.images = append(df.images, img)
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
