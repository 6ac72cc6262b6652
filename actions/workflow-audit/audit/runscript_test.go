package audit

import (
	"strings"
	"testing"
)

func TestSplitShell(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   []string // command texts; "|" between members of a pipeline
	}{
		{"lines", "echo a\necho b\n", []string{"echo a", "echo b"}},
		{"operators", "a && b || c; d & e", []string{"a", "b", "c", "d", "e"}},
		{"pipeline", "cat f | grep x | tee out\nnext", []string{"cat f|grep x|tee out", "next"}},
		{"quotes keep separators", `echo "a; b && c" 'x | y'`, []string{`echo "a; b && c" 'x | y'`}},
		{"command substitution", "v=$(git log | head -1; echo x)\necho $v", []string{"v=$(git log | head -1; echo x)", "echo $v"}},
		{"backticks", "v=`a | b`; c", []string{"v=`a | b`", "c"}},
		{"continuation", "docker build \\\n  -t x \\\n  .\necho done", []string{"docker build \\\n  -t x \\\n  .", "echo done"}},
		{"comments", "# a comment; with | stuff\necho x # trailing && y\necho '#not'", []string{"echo x", "echo '#not'"}},
		{"redirections are not separators", "cmd >&2 2>&1 &>log >|f", []string{"cmd >&2 2>&1 &>log >|f"}},
		{"expressions are opaque", "echo ${{ github.event.issue.title || 'a; b | c' }}; next", []string{"echo ${{ github.event.issue.title || 'a; b | c' }}", "next"}},
		{"multi-line quote", "echo \"a\nb\"\nc", []string{"echo \"a\nb\"", "c"}},
		{"heredoc", "cat <<EOF >> $GITHUB_ENV\nA=1; rm -rf /\nEOF\necho after", []string{"cat <<EOF >> $GITHUB_ENV", "echo after"}},
		{"heredoc dash quoted", "cat <<-'END' > f\n\tx | y\n\tEND\nz", []string{"cat <<-'END' > f", "z"}},
		{"unterminated heredoc", "cat <<EOF\nA=1\n", []string{"cat <<EOF"}},
		{"here-string", "grep x <<< \"$v\"\necho y", []string{`grep x <<< "$v"`, "echo y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds := splitShell(tt.script)
			var got []string
			for i, c := range cmds {
				if tt.script[c.off:c.off+len(c.text)] != c.text {
					t.Errorf("command %q does not start at offset %d", c.text, c.off)
				}
				if i > 0 && cmds[i-1].pipe == c.pipe {
					got[len(got)-1] += "|" + c.text
					continue
				}
				got = append(got, c.text)
			}
			if strings.Join(got, "\n---\n") != strings.Join(tt.want, "\n---\n") {
				t.Errorf("splitShell:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestHeredocBody(t *testing.T) {
	cmds := splitShell("cat <<'EOF' >> \"$GITHUB_ENV\"\nA=$B\nEOF\ncat <<X\n$Y\nX\n")
	if len(cmds) != 2 {
		t.Fatalf("got %d commands", len(cmds))
	}
	if cmds[0].heredoc != "A=$B\n" || !cmds[0].heredocLiteral {
		t.Errorf("first heredoc = %q literal %v", cmds[0].heredoc, cmds[0].heredocLiteral)
	}
	if cmds[1].heredoc != "$Y\n" || cmds[1].heredocLiteral {
		t.Errorf("second heredoc = %q literal %v", cmds[1].heredoc, cmds[1].heredocLiteral)
	}
}

func TestEnvWritesAndGrades(t *testing.T) {
	env := map[string]string{
		"TITLE": "${{ github.event.issue.title }}",
		"SHA":   "${{ github.sha }}",
		"NAME":  "fixed",
		"PR":    "${{ steps.pr.outputs.number }}",
	}
	sc := &exprScope{env: func(n string) (string, bool) { v, ok := env[strings.ToUpper(n)]; return v, ok }}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	tests := []struct {
		script string
		file   string // "" when nothing is written
		kind   writeKind
		why    string
	}{
		{`echo "FOO=bar" >> "$GITHUB_ENV"`, "GITHUB_ENV", writeConst, ""},
		{`echo FOO=bar >> $GITHUB_ENV`, "GITHUB_ENV", writeConst, ""},
		{`echo "$HOME/.local/bin" >> $GITHUB_PATH`, "GITHUB_PATH", writeConst, ""},
		{`echo "${RUNNER_TEMP}/bin" >> "${GITHUB_PATH}"`, "GITHUB_PATH", writeConst, ""},
		{`echo "SHA=${{ github.sha }}" >> $GITHUB_ENV`, "GITHUB_ENV", writeConst, ""},
		{`echo "S=$SHA N=$NAME" >> $GITHUB_ENV`, "GITHUB_ENV", writeConst, ""},
		{`echo 'LIT=$NOT_EXPANDED' >> $GITHUB_ENV`, "GITHUB_ENV", writeConst, ""},
		{`printf 'A=%s\n' fixed >> "$GITHUB_ENV"`, "GITHUB_ENV", writeConst, ""},
		{"cat <<'EOF' >> $GITHUB_ENV\nA=$B\nEOF", "GITHUB_ENV", writeConst, ""},
		{`"FOO=bar" | Out-File -FilePath $env:GITHUB_ENV -Append`, "GITHUB_ENV", writeConst, ""},
		{`echo "T=${{ github.event.issue.title }}" >> $GITHUB_ENV`, "GITHUB_ENV", writeAttacker, "github.event.issue.title"},
		{`echo "T=$TITLE" >> $GITHUB_ENV`, "GITHUB_ENV", writeAttacker, "$TITLE (set from github.event.issue.title)"},
		{`echo "B=$GITHUB_HEAD_REF" >> $GITHUB_ENV`, "GITHUB_ENV", writeAttacker, "$GITHUB_HEAD_REF (the pull request's branch name)"},
		{"cat <<EOF >> $GITHUB_ENV\nT=${{ github.event.comment.body }}\nEOF", "GITHUB_ENV", writeAttacker, "github.event.comment.body"},
		{`echo "T=${{ github.event.pull_request.title }}" | tee -a "$GITHUB_ENV"`, "GITHUB_ENV", writeAttacker, "github.event.pull_request.title"},
		{`echo "::set-env name=T::${{ github.event.issue.body }}"`, "GITHUB_ENV", writeAttacker, "github.event.issue.body"},
		{`echo "::add-path::$DIR"`, "GITHUB_PATH", writeDynamic, "$DIR"},
		{`echo "V=$(cat version.txt)" >> $GITHUB_ENV`, "GITHUB_ENV", writeDynamic, "command output"},
		{"(echo A=1; echo B=$C) >> $GITHUB_ENV", "GITHUB_ENV", writeDynamic, "$C"},
		{"echo \"V=`cat v`\" >> $GITHUB_ENV", "GITHUB_ENV", writeDynamic, "command output"},
		{`cat pr.env >> $GITHUB_ENV`, "GITHUB_ENV", writeDynamic, "the output of `cat`"},
		{`jq -r .x data.json >> "$GITHUB_ENV"`, "GITHUB_ENV", writeDynamic, "the output of `jq`"},
		{`echo "PR=$PR" >> $GITHUB_ENV`, "GITHUB_ENV", writeDynamic, "$PR (set from steps.pr.outputs.number)"},
		{`echo "N=$1" >> $GITHUB_ENV`, "GITHUB_ENV", writeDynamic, "$1"},
		{`echo "X=$UNKNOWN" >> $GITHUB_ENV`, "GITHUB_ENV", writeDynamic, "$UNKNOWN"},
		{`Add-Content -Path $env:GITHUB_PATH -Value "$env:TOOL"`, "GITHUB_PATH", writeDynamic, "$TOOL"},
		{"{\n  echo \"A=$TITLE\"\n  echo B=1\n} >> \"$GITHUB_ENV\"", "GITHUB_ENV", writeAttacker, "$TITLE (set from github.event.issue.title)"},
		{"{ echo A=1; echo B=2; } >> \"$GITHUB_ENV\"", "GITHUB_ENV", writeConst, ""},
		{"if [ -f x ]; then echo A=1; fi >> $GITHUB_ENV", "GITHUB_ENV", writeConst, ""},
		{"for f in *.env; do cat \"$f\"; done >> $GITHUB_ENV", "GITHUB_ENV", writeDynamic, "the output of `for`"},
		{"} >> $GITHUB_ENV", "GITHUB_ENV", writeDynamic, "the output of `}`"},
		{`echo "x" > /tmp/GITHUB_ENV_copy`, "", 0, ""},
		{`cat $GITHUB_ENV`, "", 0, ""},
		{`echo "$GITHUB_ENV"`, "", 0, ""},
		{`echo "v=1" >> "$GITHUB_OUTPUT"`, "", 0, ""},
	}
	for _, tt := range tests {
		ws := envWrites(splitShell(tt.script))
		if tt.file == "" {
			if len(ws) != 0 {
				t.Errorf("%s: found a write to %s", tt.script, ws[0].file)
			}
			continue
		}
		if len(ws) != 1 {
			t.Errorf("%s: %d writes, want 1", tt.script, len(ws))
			continue
		}
		if ws[0].file != tt.file {
			t.Errorf("%s: file %s, want %s", tt.script, ws[0].file, tt.file)
		}
		kind, why := ws[0].grade(sc, lookup)
		if kind != tt.kind || why != tt.why {
			t.Errorf("%s: grade %d %q, want %d %q", tt.script, kind, why, tt.kind, tt.why)
		}
	}
}

func TestExecutes(t *testing.T) {
	yes := []string{
		"npm install", "npm ci --ignore-scripts=false", "npm run build", "yarn", "pnpm i", "make",
		"make -C sub test", "./build.sh", "../tools/x", "bash scripts/test.sh", "sh -e ./ci.sh",
		"python setup.py install", "python -m pip install .", "node index.js", ". ./env.sh",
		"source .venv/bin/activate", "go test ./...", "go generate", "cargo build --release",
		"pip install -r requirements.txt", "bundle exec rake", "docker build .", "mvn -B verify",
		"./gradlew check", "sudo make install", "FOO=1 npm test", "if make; then echo ok; fi",
		"scripts/lint.py", "pre-commit run --all-files", "terraform plan", "(cd sub && make)",
	}
	no := []string{
		"echo npm install", "npm --version", "node --version", "go version", "go env GOPATH",
		"cat package.json", "git status", "bash -c 'echo hi'", "python3 -c 'print(1)'", "gh pr comment 1 --body x",
		"docker pull alpine", "cargo --version", "ls ./build.sh", "/usr/local/bin/tool.sh", "pip --version",
		"terraform fmt -check", "jq . data.json", "unzip pr.zip",
	}
	for _, s := range yes {
		cmds := splitShell(s)
		found := false
		for _, c := range cmds {
			found = found || c.executes()
		}
		if !found {
			t.Errorf("%q: executes = false, want true", s)
		}
	}
	for _, s := range no {
		for _, c := range splitShell(s) {
			if c.executes() {
				t.Errorf("%q: command %q executes = true, want false", s, c.text)
			}
		}
	}
}

func TestQuoteCmd(t *testing.T) {
	if got := quoteCmd("a\nb"); got != "`a ...`" {
		t.Errorf("quoteCmd = %q", got)
	}
	long := strings.Repeat("é", 40)
	if got := quoteCmd(long); !strings.HasSuffix(got, "...`") || !strings.HasPrefix(got, "`é") {
		t.Errorf("quoteCmd(long) = %q", got)
	}
}

// FuzzScriptReaders feeds arbitrary text to the run: script readers and
// the expression finder: none may panic, and offsets must stay inside the
// script.
func FuzzScriptReaders(f *testing.F) {
	for _, s := range []string{
		"echo \"T=${{ github.event.issue.title }}\" >> \"$GITHUB_ENV\"",
		"cat <<'EOF' | tee -a $GITHUB_ENV\nA=$B\nEOF\n{ echo x; } >> $GITHUB_PATH",
		"git fetch origin pull/${{ github.event.number }}/head && gh pr checkout 1",
		"v=$(a | b; `c`)\n# c\n\\\n\"unterminated '",
		"${{ format('}}', github.head_ref) }} ${{ ) }} ${{",
	} {
		f.Add(s)
	}
	sc := &exprScope{env: func(string) (string, bool) { return "${{ github.event.issue.title }}", true }}
	f.Fuzz(func(t *testing.T, s string) {
		for _, e := range findExprs(s) {
			if e.off < 0 || e.end > len(s) || s[e.off:e.end] != e.text {
				t.Fatalf("bad expression span %d:%d", e.off, e.end)
			}
			sc.flows(e.node)
		}
		cmds := splitShell(s)
		for _, c := range cmds {
			if c.off < 0 || c.off+len(c.text) > len(s) || s[c.off:c.off+len(c.text)] != c.text {
				t.Fatalf("bad command span %d+%d", c.off, len(c.text))
			}
			c.executes()
			prFetch(c, sc, "issue_comment")
		}
		for _, w := range envWrites(cmds) {
			w.grade(sc, sc.env)
		}
		src := "run: " + s
		ix := newSrcIndex([]byte(src))
		v := &scriptVal{value: s, pos: pos{1, 6}}
		for off := 0; off < len(s); off += 7 {
			if p := ix.locate(v, off); p.line < 1 || p.col < 1 {
				t.Fatalf("locate(%d) = %v", off, p)
			}
		}
	})
}
