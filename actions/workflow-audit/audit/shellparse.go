package audit

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// This file reads bash and sh run: scripts with mvdan.cc/sh's parser, the
// shell grammar shfmt and gopls use, instead of the heuristic splitter in
// runscript.go (which stays for pwsh, cmd and scripts the parser
// refuses). The syntax tree gives each simple command with its exact
// extent, its redirections (so ">> $GITHUB_ENV" is found on the command
// it belongs to, not in a quoted string), the here-documents it reads and
// whether their delimiter was quoted, and which commands share a
// pipeline. The commands are handed to the rules in the same shellCmd
// form the splitter produces, compound commands included: "{", "if",
// "for" and "while" open their first command, and "}", "fi", "done" and
// "esac" close them with the redirections of the whole compound, as
// envWrites expects.

// shellParser parses bash; sh scripts are bash-compatible for what the
// rules read. One parser per call: syntax.Parser is not safe for
// concurrent use and is cheap to make.
func newShellParser() *syntax.Parser {
	return syntax.NewParser(syntax.Variant(syntax.LangBash))
}

// scriptCommands returns the commands of a run: script for shell ("" is
// the runner's default, bash). bash and sh scripts are parsed; others, and
// scripts the parser refuses, are split by the heuristic reader.
func scriptCommands(script, shell string) []shellCmd {
	switch normalizeShell(shell) {
	case "", "bash", "sh":
		if cmds, ok := parseShellCmds(script); ok {
			return cmds
		}
	}
	return splitShell(script)
}

// parseShellCmds parses script (with its ${{ }} expressions masked, so
// their text cannot change the shell grammar; offsets are kept) and
// returns its commands; false when the parser refuses it.
func parseShellCmds(script string) (cmds []shellCmd, ok bool) {
	defer func() {
		if recover() != nil {
			cmds, ok = nil, false
		}
	}()
	m := maskExprs(script)
	f, err := newShellParser().Parse(strings.NewReader(m), "")
	if err != nil {
		return nil, false
	}
	w := &cmdWalker{script: script, masked: m}
	for _, s := range f.Stmts {
		w.stmt(s)
		w.pipe++
	}
	return w.cmds, true
}

type cmdWalker struct {
	script, masked string
	cmds           []shellCmd
	pipe           int
	// open is the offset of a compound command's opening keyword, given
	// to the first command emitted inside it.
	open int
	// openSet says open is pending.
	openSet bool
}

func off(p syntax.Pos) int { return int(p.Offset()) }

// emit records script[start:end] as a command.
func (w *cmdWalker) emit(start, end int, redirs []*syntax.Redirect) {
	if w.openSet {
		w.openSet = false
		if start > w.open && strings.Contains(w.script[w.open:start], "\n") {
			// The keyword stands on its own line ("{", "then", "do"), as
			// the splitter reads it: a command of its own.
			nl := w.open + strings.IndexByte(w.script[w.open:start], '\n')
			w.emit(w.open, nl, nil)
			w.pipe++
		} else {
			start = min(start, w.open)
		}
	}
	if start < 0 || end > len(w.script) || start >= end {
		return
	}
	text := strings.TrimRight(w.script[start:end], " \t\r\n;&")
	if text == "" {
		return
	}
	c := shellCmd{off: start, text: text, masked: w.masked[start : start+len(text)], pipe: w.pipe, parsed: true}
	for _, r := range redirs {
		switch r.Op {
		case syntax.RdrOut, syntax.AppOut, syntax.RdrClob, syntax.RdrAll, syntax.AppAll:
			if r.Word == nil {
				break
			}
			rs, re := off(r.Pos())-start, off(r.Word.End())-start
			if rs >= 0 && re <= len(text) && rs < re {
				c.redirs = append(c.redirs, redirSpan{start: rs, end: re, target: w.script[off(r.Word.Pos()):off(r.Word.End())]})
			}
		}
		if (r.Op == syntax.Hdoc || r.Op == syntax.DashHdoc) && r.Hdoc != nil && c.heredoc == "" {
			c.heredoc = w.script[off(r.Hdoc.Pos()):off(r.Hdoc.End())]
			c.heredocLiteral = quotedWord(r.Word)
		}
	}
	w.cmds = append(w.cmds, c)
}

// quotedWord reports a here-document delimiter written with quotes,
// which turns off expansion in the body.
func quotedWord(word *syntax.Word) bool {
	if word == nil {
		return false
	}
	for _, p := range word.Parts {
		switch p.(type) {
		case *syntax.SglQuoted, *syntax.DblQuoted:
			return true
		case *syntax.Lit:
			if strings.Contains(p.(*syntax.Lit).Value, `\`) {
				return true
			}
		}
	}
	return false
}

// opening marks the start of a compound command: its keyword opens the
// first command emitted inside it.
func (w *cmdWalker) opening(p syntax.Pos) {
	if !w.openSet {
		w.open, w.openSet = off(p), true
	}
}

// closing emits a compound command's closing keyword with the
// redirections of the whole statement.
func (w *cmdWalker) closing(kw syntax.Pos, s *syntax.Stmt) {
	w.emit(off(kw), off(s.End()), s.Redirs)
}

func (w *cmdWalker) stmts(ss []*syntax.Stmt) {
	for _, s := range ss {
		w.stmt(s)
		w.pipe++
	}
}

func (w *cmdWalker) stmt(s *syntax.Stmt) {
	if s == nil {
		return
	}
	switch c := s.Cmd.(type) {
	case *syntax.BinaryCmd:
		w.stmt(c.X)
		if c.Op == syntax.AndStmt || c.Op == syntax.OrStmt {
			w.pipe++
		}
		w.stmt(c.Y)
	case *syntax.Block:
		w.opening(c.Lbrace)
		w.stmts(c.Stmts)
		w.closing(c.Rbrace, s)
	case *syntax.Subshell:
		w.opening(c.Lparen)
		w.stmts(c.Stmts)
		w.closing(c.Rparen, s)
	case *syntax.IfClause:
		w.ifClause(c, s)
	case *syntax.WhileClause:
		w.opening(c.WhilePos)
		w.stmts(c.Cond)
		w.opening(c.DoPos)
		w.stmts(c.Do)
		w.closing(c.DonePos, s)
	case *syntax.ForClause:
		w.emit(off(c.ForPos), off(c.DoPos), nil)
		w.pipe++
		w.opening(c.DoPos)
		w.stmts(c.Do)
		w.closing(c.DonePos, s)
	case *syntax.CaseClause:
		w.emit(off(c.Case), off(c.In)+2, nil)
		w.pipe++
		for _, it := range c.Items {
			w.stmts(it.Stmts)
		}
		w.closing(c.Esac, s)
	case *syntax.FuncDecl:
		w.stmt(c.Body)
	case nil:
		// Redirections alone (">> file"): the statement itself.
		w.emit(off(s.Pos()), off(s.End()), s.Redirs)
	default:
		// A simple command, a declaration (export, local), a test,
		// arithmetic: the whole statement with its redirections.
		w.emit(off(s.Pos()), off(s.End()), s.Redirs)
	}
}

func (w *cmdWalker) ifClause(c *syntax.IfClause, s *syntax.Stmt) {
	for cl := c; cl != nil; cl = cl.Else {
		w.opening(cl.Position)
		w.stmts(cl.Cond)
		if cl.ThenPos.IsValid() {
			w.opening(cl.ThenPos)
		}
		w.stmts(cl.Then)
	}
	w.closing(c.FiPos, s)
}
