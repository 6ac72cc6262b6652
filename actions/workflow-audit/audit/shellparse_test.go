package audit

import (
	"strings"
	"testing"
)

// TestParseShellCmds: the syntax tree gives commands, pipelines,
// here-documents and redirections as the shell reads them.
func TestParseShellCmds(t *testing.T) {
	script := "echo \"a >> $GITHUB_ENV\" | tee log\n" +
		"if [ -n \"$X\" ]; then\n  echo \"X=$X\"\nfi >> \"$GITHUB_ENV\"\n" +
		"cat <<'EOF' >> $GITHUB_PATH\n/opt/bin ${{ github.head_ref }}\nEOF\n" +
		"# a comment >> $GITHUB_ENV\n"
	cmds, ok := parseShellCmds(script)
	if !ok {
		t.Fatal("the parser refused the script")
	}
	var texts []string
	for _, c := range cmds {
		texts = append(texts, c.text)
	}
	want := []string{`echo "a >> $GITHUB_ENV"`, "tee log", `if [ -n "$X" ]`, "then", `echo "X=$X"`, `fi >> "$GITHUB_ENV"`, "cat <<'EOF' >> $GITHUB_PATH"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Fatalf("commands:\n%q\nwant\n%q", texts, want)
	}
	if cmds[0].pipe != cmds[1].pipe || cmds[1].pipe == cmds[2].pipe {
		t.Errorf("pipes: %d %d %d", cmds[0].pipe, cmds[1].pipe, cmds[2].pipe)
	}
	if c := cmds[6]; !c.heredocLiteral || !strings.Contains(c.heredoc, "/opt/bin") {
		t.Errorf("here-document: %q literal=%v", c.heredoc, c.heredocLiteral)
	}
	ws := envWrites(cmds)
	if len(ws) != 2 || ws[0].file != "GITHUB_ENV" || !strings.Contains(ws[0].content, `echo "X=$X"`) || ws[1].file != "GITHUB_PATH" {
		t.Errorf("writes: %+v", ws)
	}
	// The heuristic splitter takes the quoted text for a redirection.
	if n := len(envWrites(splitShell(script))); n <= len(ws) {
		t.Errorf("splitter found %d writes; the point of the parse is that it finds fewer", n)
	}
}

// TestScriptCommandsFallback: pwsh scripts and scripts the parser refuses
// are split by the heuristic reader.
func TestScriptCommandsFallback(t *testing.T) {
	for _, tt := range []struct{ script, shell string }{
		{"Add-Content -Path $env:GITHUB_ENV -Value \"A=1\"", "pwsh"},
		{"echo $((1 +)) >> $GITHUB_ENV", "bash"},
	} {
		cmds := scriptCommands(tt.script, tt.shell)
		if len(cmds) == 0 || cmds[0].parsed {
			t.Errorf("%q (%s): %+v", tt.script, tt.shell, cmds)
		}
	}
	if cmds := scriptCommands("echo a; echo b", "bash -e {0}"); len(cmds) != 2 || !cmds[0].parsed {
		t.Errorf("bash with options: %+v", cmds)
	}
}
