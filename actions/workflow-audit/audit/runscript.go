package audit

import (
	"regexp"
	"slices"
	"strings"
)

// This file reads what a run: script does. bash and sh scripts are parsed
// with mvdan.cc/sh (shellparse.go); this heuristic reader stays for pwsh
// and cmd scripts and for scripts the parser refuses. It splits the
// script into commands (respecting quotes, command
// substitution, line continuations, comments and here-documents), and
// recognises the commands the security rules care about: writes to
// $GITHUB_ENV and $GITHUB_PATH, git and gh commands that fetch a pull
// request's code, and commands that execute code from the workspace. It
// is a heuristic reader for bash, sh and pwsh scripts as people write
// them in workflows, not a shell.

// shellCmd is one simple command of a script.
type shellCmd struct {
	off  int    // byte offset of its first character in the script
	text string // as written, expressions intact
	// masked is text with every ${{ }} expression replaced by 'x's of the
	// same length, so quotes and operators inside expressions do not
	// confuse the reader.
	masked string
	pipe   int // commands of one pipeline share this number
	// heredoc is the body of a here-document the command reads; literal
	// is set when its delimiter was quoted (no expansion in the body).
	heredoc        string
	heredocLiteral bool
	// parsed is set for commands read from a shell syntax tree; redirs
	// are then their output redirections (">", ">>", ">|", "&>"), with
	// offsets relative to off.
	parsed bool
	redirs []redirSpan
}

// redirSpan is one output redirection of a parsed command.
type redirSpan struct {
	start, end int    // the redirection's extent in text
	target     string // the target word as written
}

// maskExprs returns s with every parsed ${{ }} expression replaced by
// 'x' bytes, keeping offsets.
func maskExprs(s string) string {
	es := findExprs(s)
	if len(es) == 0 {
		return s
	}
	b := []byte(s)
	for _, e := range es {
		for i := e.off; i < e.end; i++ {
			b[i] = 'x'
		}
	}
	return string(b)
}

var heredocRe = regexp.MustCompile(`<<(-?)\s*(['"]?)([A-Za-z_][A-Za-z0-9_.-]*)['"]?`)

// splitShell splits a script into commands at newlines, ";", "&&", "||",
// "&" and "|" outside quotes and command substitutions; pipeline members
// share a pipe number. Comments are dropped and here-document bodies are
// attached to the command that reads them.
func splitShell(script string) []shellCmd {
	m := maskExprs(script)
	var cmds []shellCmd
	pipe, start, lineFirst := 0, -1, 0
	var sq, dq, bt bool
	depth := 0
	flush := func(end int) {
		if start < 0 {
			return
		}
		text := strings.TrimRight(script[start:end], " \t\r")
		if text != "" {
			cmds = append(cmds, shellCmd{off: start, text: text, masked: m[start : start+len(text)], pipe: pipe})
		}
		start = -1
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if start < 0 && (c == ' ' || c == '\t' || c == '\r') {
			continue
		}
		top := !sq && !dq && !bt && depth == 0
		if start < 0 && top && c != '\n' && c != ';' && c != '&' && c != '|' && c != '#' {
			start = i
		}
		switch {
		case sq:
			sq = c != '\''
		case c == '\\' && i+1 < len(m):
			i++ // an escaped character, or a line continuation
		case dq:
			dq = c != '"'
		case c == '\'':
			sq = true
		case c == '"':
			dq = true
		case c == '`':
			bt = !bt
		case c == '$' && i+1 < len(m) && m[i+1] == '(':
			depth++
			i++
		case c == '(' && depth > 0:
			depth++
		case c == ')' && depth > 0:
			depth--
		case !top:
		case c == '#' && (i == 0 || strings.IndexByte(" \t\n;&|(", m[i-1]) >= 0):
			flush(i)
			for i+1 < len(m) && m[i+1] != '\n' {
				i++
			}
		case c == '\n':
			flush(i)
			pipe++
			i = attachHeredocs(script, m, cmds, lineFirst, i)
			lineFirst = len(cmds)
		case c == ';':
			flush(i)
			pipe++
		case c == '&':
			if i > 0 && m[i-1] == '>' || i+1 < len(m) && m[i+1] == '>' {
				continue // >&2, &>file
			}
			flush(i)
			pipe++
			if i+1 < len(m) && m[i+1] == '&' {
				i++
			}
		case c == '|':
			if i > 0 && m[i-1] == '>' {
				continue // >|file
			}
			flush(i)
			if i+1 < len(m) && m[i+1] == '|' {
				pipe++
				i++
			}
		}
	}
	flush(len(m))
	attachHeredocs(script, m, cmds, lineFirst, len(m))
	return cmds
}

// attachHeredocs gives the commands cmds[first:] (one line's commands) the
// bodies of the here-documents they open, which start after the newline at
// nl, and returns the offset of the last newline consumed.
func attachHeredocs(script, m string, cmds []shellCmd, first, nl int) int {
	for k := first; k < len(cmds); k++ {
		for _, hm := range heredocRe.FindAllStringSubmatchIndex(cmds[k].masked, -1) {
			if hm[0] > 0 && cmds[k].masked[hm[0]-1] == '<' {
				continue // <<< here-string
			}
			delim := cmds[k].masked[hm[6]:hm[7]]
			quoted := hm[5] > hm[4]
			bodyStart := nl + 1
			i := bodyStart
			for i < len(m) {
				j := strings.IndexByte(m[i:], '\n')
				line := m[i:]
				if j >= 0 {
					line = m[i : i+j]
				}
				if strings.TrimSpace(line) == delim {
					if cmds[k].heredoc == "" {
						cmds[k].heredoc = script[bodyStart:i]
						cmds[k].heredocLiteral = quoted
					}
					if j < 0 {
						i = len(m)
					} else {
						i += j
					}
					break
				}
				if j < 0 {
					i = len(m)
					break
				}
				i += j + 1
			}
			if i >= len(m) {
				if cmds[k].heredoc == "" && bodyStart < len(script) {
					cmds[k].heredoc = script[bodyStart:]
					cmds[k].heredocLiteral = quoted
				}
				return len(m)
			}
			nl = i
		}
	}
	return nl
}

// cmdPrefixes are words that run the command after them.
var cmdPrefixes = map[string]bool{
	"if": true, "then": true, "else": true, "elif": true, "do": true, "while": true,
	"until": true, "!": true, "{": true, "(": true, "time": true, "sudo": true,
	"exec": true, "nohup": true, "command": true, "env": true, "xargs": true,
}

var assignmentRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// words returns the command's words (split on blanks of the masked text,
// quotes kept) after prefixes such as "sudo", "if" and "VAR=value".
func (c shellCmd) words() []string {
	ws := strings.Fields(c.masked)
	for len(ws) > 0 {
		w := ws[0]
		switch {
		case cmdPrefixes[w]:
		case strings.HasPrefix(w, "(") && len(w) > 1:
			ws[0] = w[1:]
			continue
		case assignmentRe.MatchString(w), strings.HasPrefix(w, "-") && len(ws) > 1:
		default:
			return ws
		}
		ws = ws[1:]
	}
	return ws
}

// program returns the command's program name, lower case and unquoted.
func (c shellCmd) program() string {
	ws := c.words()
	if len(ws) == 0 {
		return ""
	}
	return strings.ToLower(strings.Trim(ws[0], `"'`))
}

// envFileTarget matches a reference to the environment or path file in
// bash ($GITHUB_ENV, "${GITHUB_ENV}"), pwsh ($env:GITHUB_ENV) or cmd
// (%GITHUB_ENV%).
const envFileTarget = `["']?(?:\$\{?(GITHUB_ENV|GITHUB_PATH)\}?|\$env:(GITHUB_ENV|GITHUB_PATH)|%(GITHUB_ENV|GITHUB_PATH)%)["']?`

var (
	envRedirectRe = regexp.MustCompile(`(?i)[0-9]?>>?\|?\s*` + envFileTarget)
	envCmdletRe   = regexp.MustCompile(`(?i)(?:^|\s)(?:tee|out-file|add-content|set-content|tee-object)\b`)
	envTargetRe   = regexp.MustCompile(`(?i)` + envFileTarget)
	setEnvRe      = regexp.MustCompile(`::(set-env\s+name=([^:\s]*)|add-path)::`)
)

// envWrite is a command that writes to $GITHUB_ENV or $GITHUB_PATH, or
// prints the old ::set-env / ::add-path workflow commands.
type envWrite struct {
	cmd  shellCmd
	file string // GITHUB_ENV or GITHUB_PATH
	// content is the text whose expansion is written; program is false
	// when content is a workflow command's value rather than a command
	// line. parts are the commands whose output is written (one, or the
	// commands of a { ...; } group, loop or if redirected as a whole).
	content string
	parts   []string
	program bool
	// heredoc is the here-document body the write reads, literal when its
	// delimiter was quoted.
	heredoc        string
	heredocLiteral bool
}

// envWrites finds the commands of cmds that write the environment or path
// file, and ::set-env/::add-path workflow commands.
func envWrites(cmds []shellCmd) []envWrite {
	var out []envWrite
	for i, c := range cmds {
		if m := setEnvRe.FindStringSubmatchIndex(c.masked); m != nil {
			file := "GITHUB_ENV"
			if m[4] < 0 {
				file = "GITHUB_PATH"
			}
			out = append(out, envWrite{cmd: c, file: file, content: strings.Trim(c.text[m[1]:], `"' `)})
			continue
		}
		if c.parsed {
			// The syntax tree says which words are redirection targets:
			// ">> $GITHUB_ENV" inside a quoted string is text.
			if r, file := c.envRedirect(); file != "" {
				w := envWrite{
					cmd: c, file: file, program: true,
					content: c.text[:r.start] + c.text[r.end:],
					heredoc: c.heredoc, heredocLiteral: c.heredocLiteral,
				}
				w.parts = []string{w.content}
				if groupClosers[firstField(w.content)] {
					w.group(cmds, i)
				}
				out = append(out, w)
				continue
			}
		} else if m := envRedirectRe.FindStringSubmatchIndex(c.masked); m != nil {
			w := envWrite{
				cmd: c, file: targetName(c.masked, m), program: true,
				content: c.text[:m[0]] + c.text[m[1]:],
				heredoc: c.heredoc, heredocLiteral: c.heredocLiteral,
			}
			w.parts = []string{w.content}
			if groupClosers[firstField(w.content)] {
				w.group(cmds, i)
			}
			out = append(out, w)
			continue
		}
		if envCmdletRe.MatchString(" " + c.program()) {
			m := envTargetRe.FindStringSubmatchIndex(c.masked)
			if m == nil {
				continue
			}
			w := envWrite{cmd: c, file: targetName(c.masked, m), program: true, heredoc: c.heredoc, heredocLiteral: c.heredocLiteral}
			// What reaches tee or Out-File is what the pipeline before it
			// prints; Add-Content/Set-Content write their own arguments.
			var prev []string
			first := i
			for j := i - 1; j >= 0 && cmds[j].pipe == c.pipe; j-- {
				prev = append([]string{cmds[j].text}, prev...)
				first = j
				if cmds[j].heredoc != "" {
					w.heredoc, w.heredocLiteral = cmds[j].heredoc, cmds[j].heredocLiteral
				}
			}
			w.parts = prev
			if len(prev) > 0 {
				w.content = strings.Join(prev, " | ")
				// Report the whole pipeline, where it starts.
				w.cmd.off = cmds[first].off
				w.cmd.text = w.content + " | " + c.text
			} else {
				w.content = c.text[:m[0]] + c.text[m[1]:]
				w.parts = []string{w.content}
			}
			out = append(out, w)
		}
	}
	return out
}

// envRedirect returns the command's redirection to the environment or
// path file, and which file, or "" when it has none.
func (c shellCmd) envRedirect() (redirSpan, string) {
	for _, r := range c.redirs {
		if m := envTargetRe.FindStringSubmatchIndex(r.target); m != nil && strings.TrimSpace(r.target[:m[0]]) == "" {
			return r, targetName(r.target, m)
		}
	}
	return redirSpan{}, ""
}

// Words that open and close compound commands whose output can be
// redirected as a whole: { ...; } >> "$GITHUB_ENV", a loop, an if.
var (
	groupOpeners = map[string]bool{"{": true, "(": true, "if": true, "for": true, "while": true, "until": true, "case": true, "select": true}
	groupClosers = map[string]bool{"}": true, ")": true, "fi": true, "done": true, "esac": true}
)

// firstField returns the first blank-separated word of s, with a leading
// "(" split off as a word of its own.
func firstField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	if strings.HasPrefix(f[0], "(") {
		return "("
	}
	return f[0]
}

// group widens a write whose command closes a compound command
// (cmds[i] is "} >> $GITHUB_ENV", "done >> ...") to the commands of that
// compound: their output is what is written. An unbalanced group keeps
// the closing command alone, which grades as dynamic.
func (w *envWrite) group(cmds []shellCmd, i int) {
	depth := 1
	for j := i - 1; j >= 0; j-- {
		f := firstField(cmds[j].masked)
		if groupClosers[f] {
			depth++
		}
		if groupOpeners[f] {
			depth--
		}
		if depth > 0 {
			continue
		}
		var parts, texts []string
		for k := j; k < i; k++ {
			parts = append(parts, cmds[k].text)
			texts = append(texts, cmds[k].text)
			if cmds[k].heredoc != "" && w.heredoc == "" {
				w.heredoc, w.heredocLiteral = cmds[k].heredoc, cmds[k].heredocLiteral
			}
		}
		w.parts = parts
		w.content = joinCmds(parts)
		w.cmd.off = cmds[j].off
		w.cmd.text = joinCmds(append(texts, cmds[i].text))
		return
	}
}

// joinCmds joins commands with "; ", as a one-line script would, except
// after a lone "{" or "(".
func joinCmds(cmds []string) string {
	var b strings.Builder
	for i, c := range cmds {
		if i > 0 {
			if prev := strings.TrimSpace(cmds[i-1]); prev == "{" || prev == "(" {
				b.WriteString(" ")
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(strings.TrimSpace(c))
	}
	return b.String()
}

// targetName returns GITHUB_ENV or GITHUB_PATH from a match of a pattern
// built on envFileTarget.
func targetName(s string, m []int) string {
	for k := 2; k+1 < len(m); k += 2 {
		if m[k] >= 0 {
			return strings.ToUpper(s[m[k]:m[k+1]])
		}
	}
	return "GITHUB_ENV"
}

// benignVars are variables the runner sets to values no outsider
// chooses: paths, the base repository's coordinates and the run's ids.
// GITHUB_HEAD_REF is absent on purpose: it is a fork's branch name.
var benignVars = map[string]bool{
	"HOME": true, "PWD": true, "USER": true, "PATH": true, "GITHUB_WORKSPACE": true,
	"GITHUB_ACTION_PATH": true, "RUNNER_TEMP": true, "RUNNER_TOOL_CACHE": true,
	"RUNNER_OS": true, "RUNNER_ARCH": true, "GITHUB_SHA": true, "GITHUB_REF": true,
	"GITHUB_REF_NAME": true, "GITHUB_REPOSITORY": true, "GITHUB_REPOSITORY_OWNER": true,
	"GITHUB_RUN_ID": true, "GITHUB_RUN_NUMBER": true, "GITHUB_RUN_ATTEMPT": true,
	"GITHUB_SERVER_URL": true, "GITHUB_API_URL": true, "GITHUB_GRAPHQL_URL": true,
	"GITHUB_EVENT_NAME": true, "GITHUB_JOB": true, "GITHUB_WORKFLOW": true,
	"GITHUB_ACTOR": true, "GITHUB_BASE_REF": true, "GITHUB_ENV": true, "GITHUB_PATH": true,
	"GITHUB_OUTPUT": true, "GITHUB_STEP_SUMMARY": true,
}

// writeKind grades what an env-file write writes.
type writeKind int

const (
	writeConst    writeKind = iota // literal text, runner paths, fixed expressions
	writeDynamic                   // command output or variables of unknown origin
	writeAttacker                  // text from an attacker-controlled context
)

var shellVarRe = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|(?i:env:)([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*)|([0-9@*#?$!-]))`)

// constPrograms print their arguments (or a here-document) verbatim.
var constPrograms = map[string]bool{
	"echo": true, "printf": true, "cat": true, "write-output": true, "echo.": true,
	"add-content": true, "set-content": true, "out-file": true,
	// Tests print nothing.
	"[": true, "[[": true, "test": true, "true": true, "false": true, ":": true,
}

// grade says what w writes: constant text, something dynamic, or data an
// outsider controls, with the context or variable that makes it so. env
// resolves a variable the step, job or workflow sets in "env:"; sc
// classifies expressions.
func (w envWrite) grade(sc *exprScope, env func(string) (string, bool)) (writeKind, string) {
	kind, why := writeConst, ""
	bump := func(k writeKind, reason string) {
		if k > kind {
			kind, why = k, reason
		}
	}
	if w.program {
		for _, part := range w.parts {
			c := shellCmd{text: part, masked: maskExprs(part)}
			ws := c.words()
			if len(ws) == 0 {
				if groupClosers[firstField(part)] {
					bump(writeDynamic, "the output of "+quoteCmd(part))
				}
				continue // "{" on its own line prints nothing
			}
			if ws[0][0] == '"' || ws[0][0] == '\'' {
				continue // a pwsh string in a pipeline prints itself
			}
			if p := c.program(); !constPrograms[p] || p == "cat" && w.heredoc == "" && len(ws) > 1 {
				bump(writeDynamic, "the output of "+quoteCmd(p))
			}
		}
	}
	texts := []string{w.content}
	if w.heredoc != "" && !w.heredocLiteral {
		texts = append(texts, w.heredoc)
	}
	for _, t := range texts {
		for _, e := range findExprs(t) {
			fs := sc.flows(e.node)
			switch worst(fs) {
			case taintAttacker:
				bump(writeAttacker, fs[0].describe())
			case taintNone:
			default:
				bump(writeDynamic, fs[0].describe())
			}
		}
		m := maskExprs(t)
		for _, span := range unquotedSpans(m) {
			seg := m[span[0]:span[1]]
			if strings.Contains(seg, "$(") || strings.Contains(seg, "`") {
				bump(writeDynamic, "command output")
			}
			for _, vm := range shellVarRe.FindAllStringSubmatch(seg, -1) {
				name := vm[1] + vm[2] + vm[3]
				switch {
				case vm[4] != "":
					bump(writeDynamic, "$"+vm[4])
				case name == "GITHUB_HEAD_REF":
					bump(writeAttacker, "$GITHUB_HEAD_REF (the pull request's branch name)")
				case benignVars[name]:
				default:
					val, ok := env(name)
					if !ok {
						bump(writeDynamic, "$"+name)
						continue
					}
					for _, e := range findExprs(val) {
						fs := sc.flows(e.node)
						switch worst(fs) {
						case taintAttacker:
							bump(writeAttacker, "$"+name+" (set from "+fs[0].describe()+")")
						case taintNone:
						default:
							bump(writeDynamic, "$"+name+" (set from "+fs[0].describe()+")")
						}
					}
				}
			}
		}
	}
	return kind, why
}

// unquotedSpans returns the parts of s outside single quotes, where the
// shell expands variables.
func unquotedSpans(s string) [][2]int {
	var out [][2]int
	start, dq := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			dq = !dq
		case '\'':
			if dq {
				continue
			}
			out = append(out, [2]int{start, i})
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return out
			}
			i += j + 1
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

// quoteCmd shortens a command for a message.
func quoteCmd(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	if len(s) > 60 {
		cut := 57
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "..."
	}
	return "`" + s + "`"
}

// buildTools maps programs that run code from the workspace (build
// scripts, package install hooks, test suites, Makefiles) to the
// subcommands that do; an empty list means every use does.
var buildTools = map[string][]string{
	"npm":  {"install", "i", "ci", "run", "run-script", "test", "t", "start", "exec", "x", "rebuild", "pack", "publish", "restart", "stop"},
	"yarn": nil, "pnpm": nil, "npx": nil, "bun": nil, "deno": nil, "lerna": nil, "nx": nil, "turbo": nil,
	"make": nil, "gmake": nil, "cmake": nil, "ninja": nil, "meson": nil, "just": nil, "task": nil,
	"mvn": nil, "./mvnw": nil, "gradle": nil, "./gradlew": nil, "ant": nil, "sbt": nil, "bazel": nil, "bazelisk": nil,
	"go":     {"build", "run", "test", "generate", "install", "vet"},
	"cargo":  {"build", "b", "run", "r", "test", "t", "check", "c", "install", "bench", "clippy", "doc"},
	"bundle": {"install", "exec"},
	"rake":   nil,
	"pip":    {"install", "wheel", "download"},
	"pip3":   {"install", "wheel", "download"},
	"poetry": {"install", "run", "build"},
	"uv":     {"run", "sync", "pip", "build"},
	"tox":    nil, "nox": nil, "pytest": nil, "pre-commit": nil, "hatch": nil, "pdm": nil,
	"composer": {"install", "update", "run", "run-script", "exec"},
	"dotnet":   {"build", "run", "test", "restore", "pack", "publish", "msbuild"},
	"msbuild":  nil, "mix": nil, "rebar3": nil, "flutter": nil, "dart": nil, "xcodebuild": nil,
	"swift":     {"build", "run", "test"},
	"docker":    {"build", "buildx", "compose"},
	"terraform": {"init", "plan", "apply"},
	"mkdocs":    {"build", "serve", "gh-deploy"},
	"gomplate":  nil, "vale": nil,
}

// interpreters run the script file named by their first argument, or
// the inline code after one of the listed flags (which is not workspace
// code).
var interpreters = map[string][]string{
	"bash": {"-c"}, "sh": {"-c"}, "zsh": {"-c"}, "dash": {"-c"}, "ksh": {"-c"},
	"python": {"-c"}, "python3": {"-c"}, "node": {"-e", "--eval", "-p", "--print"},
	"ruby": {"-e"}, "perl": {"-e", "-E"}, "php": {"-r"},
	"pwsh": {"-c", "-command", "-encodedcommand"}, "powershell": {"-c", "-command", "-encodedcommand"},
}

var scriptFileRe = regexp.MustCompile(`(?i)\.(sh|bash|py|js|mjs|cjs|ts|rb|pl|php|ps1)$`)

// executes reports whether c runs code from the workspace: a local
// script, sourcing a file, an interpreter given a file or module, or a
// build tool that runs the project's scripts.
func (c shellCmd) executes() bool {
	ws := c.words()
	if len(ws) == 0 {
		return false
	}
	p := strings.TrimRight(strings.ToLower(strings.Trim(ws[0], `"'`)), ")")
	args := ws[1:]
	switch {
	case p == "." || p == "source":
		return len(args) > 0
	case strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../"):
		return true
	case strings.Contains(p, "/") && scriptFileRe.MatchString(p) && !strings.HasPrefix(p, "/usr/") && !strings.HasPrefix(p, "/bin/"):
		return true
	}
	if inline, ok := interpreters[p]; ok {
		for _, a := range args {
			switch {
			case slices.Contains(inline, strings.ToLower(a)):
				return false
			case a == "-m":
				return true
			case strings.HasPrefix(a, "-"):
			default:
				return true
			}
		}
		return false
	}
	subs, ok := buildTools[p]
	if !ok {
		return false
	}
	if subs == nil {
		return true
	}
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		a = strings.ToLower(a)
		for _, s := range subs {
			if a == s {
				return true
			}
		}
		return false
	}
	return false
}
