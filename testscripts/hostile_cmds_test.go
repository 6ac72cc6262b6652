package testscripts

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/shared/runnersim"
)

// cmdQuotedFile writes a file whose name is given Go-quoted, so a script
// can make the names a hostile repository holds ("a\n::error::x"):
//
//	quoted-file '"a\n::error::x.yml"' [CONTENT]
//
// (single quotes keep testscript from reading # as a comment).
func cmdQuotedFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: quoted-file GO-QUOTED-NAME [CONTENT]")
	}
	name, err := strconv.Unquote(args[0])
	if err != nil {
		ts.Fatalf("quoted-file: %q is not Go-quoted: %v", args[0], err)
	}
	content := ""
	if len(args) == 2 {
		content = args[1]
	}
	p := ts.MkAbs(name)
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(os.WriteFile(p, []byte(content), 0o644))
}

// cmdQuotedEnv sets a variable to a Go-quoted value (line breaks and all):
//
//	quoted-env VAR '"k\n::add-mask::x"'
func cmdQuotedEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: quoted-env VAR GO-QUOTED-VALUE")
	}
	v, err := strconv.Unquote(args[1])
	if err != nil {
		ts.Fatalf("quoted-env: %q is not Go-quoted: %v", args[1], err)
	}
	ts.Setenv(args[0], v)
}

var fenceToken = regexp.MustCompile(`^hub-[0-9a-f]{32}$`)

// cmdOwnCommandsOnly fails unless every workflow command the runner would
// act on in the last command's stdout is one a gate issues itself (masks,
// annotations, its fence) and stderr holds none:
//
//	own-commands-only
func cmdOwnCommandsOnly(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: own-commands-only")
	}
	token := ""
	for _, c := range runnersim.Commands(ts.ReadFile("stdout")) {
		switch {
		case c.Name == "add-mask", c.Name == "error", c.Name == "warning", c.Name == "notice":
		case c.Name == "stop-commands" && fenceToken.MatchString(c.Data):
			token = c.Data
		case token != "" && c.Name == token:
			token = ""
		default:
			ts.Fatalf("the runner would run a command that is not the gate's: %q (line %q)", c.Name, c.Line)
		}
	}
	for _, c := range runnersim.Commands(ts.ReadFile("stderr")) {
		ts.Fatalf("standard error holds a workflow command: %q (line %q)", c.Name, c.Line)
	}
}
