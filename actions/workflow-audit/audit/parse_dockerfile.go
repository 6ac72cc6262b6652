package audit

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// This file finds the images a Dockerfile pulls with BuildKit's own
// Dockerfile parser (github.com/moby/buildkit/frontend/dockerfile/parser)
// and its word expansion (.../shell), so directives (escape=), line
// continuations, comments inside them, here-documents and quoting are read
// exactly as docker build reads them. What is left here is hub's: global
// ARG defaults substituted into FROM lines, stage-scoped ARGs into COPY
// --from, stage names, and the positions of the image tokens.

// argVars is a build-argument scope: a name maps to its value, or is absent.
type argVars map[string]string

// refRe finds variable references in a word: $NAME, ${NAME} and
// ${NAME<modifier>...}.
var refRe = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))`)

// expandArgs expands build arguments in word as BuildKit does. References
// to names without a value are kept as written (and returned), so an
// image that is a variable stays recognisable; ${NAME:-default} and the
// other modifiers follow BuildKit's rules for an unset NAME.
func expandArgs(lex *shell.Lex, escape rune, word string, vars argVars) (string, []string) {
	env := make(map[string]string, len(vars))
	for k, v := range vars {
		env[k] = v
	}
	var unresolved []string
	for _, m := range refRe.FindAllStringSubmatchIndex(word, -1) {
		if m[0] > 0 && rune(word[m[0]-1]) == escape {
			continue // an escaped dollar is text
		}
		name, modifier := "", ""
		if m[2] >= 0 {
			name, modifier = word[m[2]:m[3]], word[m[4]:m[5]]
		} else {
			name = word[m[6]:m[7]]
		}
		if _, ok := vars[name]; ok || modifier != "" {
			continue
		}
		if _, seen := env[name]; !seen {
			unresolved = append(unresolved, name)
			// The placeholder expands to the reference as written.
			env[name] = "${" + name + "}"
		}
	}
	out, _, err := lex.ProcessWordWithMatches(word, env)
	if err != nil {
		return word, append(unresolved, word)
	}
	return out, unresolved
}

var onlyVariableRe = regexp.MustCompile(`^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$`)

// dfParsed is what the rules need of one instruction.
type dfInstr struct {
	node  *parser.Node
	args  []string // the words after the instruction, as written
	flags []string
}

// parseDockerfile finds the images a Dockerfile pulls.
func parseDockerfile(sf *sourceFile) *dockerfileFile {
	df := &dockerfileFile{sourceFile: sf}
	res, err := parser.Parse(bytes.NewReader(sf.src))
	if err != nil {
		sf.addProblem(pos{}, "parse:"+err.Error(), fmt.Sprintf("docker cannot parse the Dockerfile: %s; fix the syntax", lowerFirst(err.Error())))
		return df
	}
	lex := shell.NewLex(res.EscapeToken)
	lines := strings.Split(string(sf.src), "\n")
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
	for _, n := range res.AST.Children {
		in := dfInstr{node: n, flags: n.Flags}
		for a := n.Next; a != nil; a = a.Next {
			in.args = append(in.args, a.Value)
		}
		switch strings.ToLower(n.Value) {
		case "arg":
			scope, inherit := global, argVars(nil)
			if stage != nil {
				scope, inherit = stage, global
			}
			for _, a := range in.args {
				name, val, hasVal := strings.Cut(a, "=")
				if name == "" {
					continue
				}
				if !hasVal {
					if v, ok := inherit[name]; ok {
						scope[name] = v
					}
					continue
				}
				v, unresolved := expandArgs(lex, res.EscapeToken, val, scope)
				if len(unresolved) == 0 {
					scope[name] = v
				} else {
					delete(scope, name)
				}
			}
		case "from":
			froms++
			stage = argVars{}
			img := &dockerImage{instr: "FROM"}
			for _, f := range in.flags {
				if v, ok := strings.CutPrefix(f, "--platform="); ok {
					img.platform = v
				}
			}
			at := tokenPos(lines, n, "")
			if len(in.args) == 0 {
				sf.addProblem(at, "from-without-image", "missing image in FROM; write \"FROM <image>@sha256:<digest>\"")
				continue
			}
			if len(in.args) == 3 && strings.EqualFold(in.args[1], "as") {
				img.stage = in.args[2]
			} else if len(in.args) != 1 {
				sf.addProblem(at, "from-arguments:"+strings.Join(in.args, " "), fmt.Sprintf("unexpected arguments in FROM %q; write \"FROM [--platform=...] <image> [AS <name>]\"", strings.Join(in.args, " ")))
			}
			df.addImage(img, in.args[0], tokenPos(lines, n, in.args[0]), lex, res.EscapeToken, global, isStage)
			if img.stage != "" {
				stages = append(stages, img.stage)
			}
		case "copy":
			for _, f := range in.flags {
				v, ok := strings.CutPrefix(f, "--from=")
				if !ok || v == "" {
					continue
				}
				scope := stage
				if scope == nil {
					scope = global
				}
				img := &dockerImage{instr: "COPY --from"}
				df.addImage(img, v, tokenPos(lines, n, f, len("--from=")), lex, res.EscapeToken, scope, func(name string) bool {
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

// tokenPos places token in the instruction's source lines: the first
// occurrence after the instruction keyword, shifted by skip bytes. An
// empty token gives the keyword's position.
func tokenPos(lines []string, n *parser.Node, token string, skip ...int) pos {
	first := n.StartLine
	for l := first; l <= n.EndLine && l-1 < len(lines); l++ {
		if l < 1 {
			continue
		}
		text := strings.TrimSuffix(lines[l-1], "\r")
		from := 0
		if l == first {
			kw := indexFold(text, n.Value, 0)
			if kw < 0 {
				kw = 0
			}
			if token == "" {
				return pos{l, utf8.RuneCountInString(text[:kw]) + 1}
			}
			from = kw + len(n.Value)
		}
		if token == "" {
			continue
		}
		if i := strings.Index(text[from:], token); i >= 0 {
			off := from + i
			for _, s := range skip {
				off += s
			}
			return pos{l, utf8.RuneCountInString(text[:off]) + 1}
		}
	}
	return pos{first, 0}
}

func (df *dockerfileFile) addImage(img *dockerImage, word string, at pos, lex *shell.Lex, escape rune, vars argVars, isStage func(string) bool) {
	img.raw = scalar{value: word, pos: at}
	img.resolved, img.unresolved = expandArgs(lex, escape, word, vars)
	img.onlyVariable = len(img.unresolved) > 0 && onlyVariableRe.MatchString(word)
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
