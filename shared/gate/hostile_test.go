package gate

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/runnersim"
)

// hostileGate puts text, as a repository or a server could write it, in
// every place a gate's result can carry text: a finding's path, message
// and waiver, the reason, an output, the details, and (with fail) the
// error that ends the run.
func hostileGate(text string, fail bool) *Gate {
	return &Gate{
		Spec: Spec{
			Name: "hostile", Title: "hostile text", Description: "Echoes hostile text everywhere.",
			Inputs:  []Input{{Name: "token", Kind: Secret, Description: "A secret."}},
			Outputs: []Output{{Name: "echo", Description: "The text."}},
			Rules:   []finding.Rule{{ID: "bad-thing", Severity: finding.High, Summary: "A bad thing.", Help: "Do the good thing."}},
		},
		Run: func(ctx context.Context, in *Inputs) (*Result, error) {
			if fail {
				return nil, BadConfig(errors.New("config " + text + ": line 3: bad"))
			}
			return &Result{
				Denied: true, Reason: "denied because " + text,
				Findings: []finding.Finding{
					{Rule: "bad-thing", Severity: finding.High, Message: text, Path: findingPath(text), Line: 1, Fingerprint: "a"},
					{Rule: "bad-thing", Severity: finding.Medium, Message: "in " + text, Path: "ok.yml", Fingerprint: "b"},
					{Rule: "bad-thing", Severity: finding.High, Message: "waived " + text, Path: "w.yml", Fingerprint: "c",
						Suppression: &finding.Suppression{Kind: "external", Justification: text, Expires: "2026-12-31", Source: text}},
				},
				Outputs: map[string]string{"echo": text},
				Details: "| a | b |\n|---|---|\n| " + MarkdownText(text) + " | " + MarkdownCode(text) + " |",
			}, nil
		},
	}
}

// findingPath is text as a gate could report it as a path: any bytes, but
// relative and without ".." segments (a gate reporting another path has a
// bug, which the runtime rightly makes exit 3).
func findingPath(text string) string {
	for _, seg := range strings.Split(text, "/") {
		if seg == ".." {
			return "odd-path"
		}
	}
	if strings.HasPrefix(text, "/") || path.Clean(text) == "." {
		return "odd-path"
	}
	return text
}

// The texts each case of the review found, and a few more.
var hostileTexts = []string{
	"::error::PWNED.Dockerfile",
	"ok\n::error::PWNED",
	"ok\r::add-mask::x",
	"  \t::warning title=x::y",
	"\u00a0\u2003::notice::nbsp",
	"x ##[add-mask]s3cret",
	"##[set-output name=verdict;]passed",
	"::stop-commands::abc\n::error::inside\n::abc::",
	"ghadelimiter_0123456789abcdef0123456789abcdef\nverdict<<X\npassed\nX",
	"_GitHubActionsFileCommandDelimeter_\nverdict=passed",
	"verdict=passed\r\nfindings=0",
	"\x1b[2J\x1b[31mred\u202egnp.exe",
	"%0A::error::encoded%25",
	"<img src=x onerror=alert(1)> [link](https://evil.example) | col | `tick` ```fence```",
	strings.Repeat("A", 10000) + "\n::error::late",
	"\xff\xfe::error::bad utf-8",
	"A:", // a file name, not a Windows drive (found by FuzzPrintingPaths)
	".",  // a waiver source that names no file (found by FuzzPrintingPaths)
}

// runHostile runs the hostile gate as the runner would, every input set.
func runHostile(t testing.TB, text string, fail bool) (code ExitCode, stdout, stderr, outputs, summary string) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": ws,
		"GITHUB_OUTPUT": filepath.Join(dir, "output"), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary"),
		"GITHUB_REPOSITORY": "hubgates/hub", "GITHUB_SHA": strings.Repeat("a", 40),
		"INPUT_TOKEN": "s3cret-token",
	}
	for k, v := range RunnerInputs(&hostileGate("", false).Spec) {
		if _, set := env[k]; !set {
			env[k] = v
		}
	}
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	var out, errOut bytes.Buffer
	code = Execute(context.Background(), hostileGate(text, fail), Process{
		Getenv: func(k string) string { return env[k] }, Environ: environ,
		Stdout: &out, Stderr: &errOut, Cwd: ws,
		Now: func() time.Time { return time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC) },
	})
	o, _ := os.ReadFile(env["GITHUB_OUTPUT"])
	s, _ := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	return code, out.String(), errOut.String(), string(o), string(s)
}

var tokenRE = regexp.MustCompile(`^hub-[0-9a-f]{32}$`)

// checkOnlyOwnCommands fails unless every workflow command the runner
// would act on is one of the gate's own: the mask of the secret, the
// fence, and at most one annotation a finding (with the finding's path).
func checkOnlyOwnCommands(t testing.TB, text, stdout, stderr string) {
	t.Helper()
	token := ""
	annotations := 0
	for _, c := range runnersim.Commands(stdout) {
		switch {
		case c.Name == "add-mask" && c.Data == "s3cret-token":
		case c.Name == "stop-commands" && tokenRE.MatchString(c.Data) && token == "":
			token = c.Data
		case token != "" && c.Name == token:
			token = ""
		case c.Name == "error" || c.Name == "warning" || c.Name == "notice":
			annotations++
			if f, ok := c.Properties["file"]; ok && f != findingPath(text) && f != "ok.yml" {
				t.Errorf("an annotation names file %q, which no finding has", f)
			}
		default:
			t.Errorf("the runner would run a command that is not the gate's: %q (line %q)", c.Name, c.Line)
		}
	}
	if annotations > 3 {
		t.Errorf("%d annotations, want at most 3 (two findings and the error)", annotations)
	}
	if token != "" {
		t.Errorf("commands left stopped at the end of the step")
	}
	for _, c := range runnersim.Commands(stderr) {
		t.Errorf("standard error holds a command: %q (line %q)", c.Name, c.Line)
	}
}

func TestUntrustedTextNeverBecomesACommand(t *testing.T) {
	for _, text := range hostileTexts {
		for _, fail := range []bool{false, true} {
			code, stdout, stderr, outputs, summary := runHostile(t, text, fail)
			want := Denied
			if fail {
				want = BadInput
			}
			if code != want {
				t.Fatalf("%q: exit %d, want %d\n%s", text, code, want, stderr)
			}
			checkOnlyOwnCommands(t, text, stdout, stderr)
			outs, err := runnersim.OutputMap(outputs)
			if err != nil {
				t.Fatalf("%q: the runner would fail reading GITHUB_OUTPUT: %v\n%s", text, err, outputs)
			}
			if !fail && outs["echo"] != text {
				t.Errorf("%q: echo output = %q", text, outs["echo"])
			}
			if outs["verdict"] != want.Verdict() {
				t.Errorf("%q: verdict output = %q", text, outs["verdict"])
			}
			if strings.Contains(stdout+stderr+summary, "s3cret-token") && !strings.HasPrefix(text, "s3cret") {
				for _, l := range strings.Split(stdout, "\n") {
					if strings.Contains(l, "s3cret-token") && l != "::add-mask::s3cret-token" {
						t.Errorf("the secret is printed: %q", l)
					}
				}
			}
			if prose := outsideCode(summary); strings.Contains(prose, "<img") || rawLink.MatchString(prose) {
				t.Errorf("%q: the summary carries HTML or a link:\n%s", text, summary)
			}
		}
	}
}

func FuzzPrintingPaths(f *testing.F) {
	for _, s := range hostileTexts {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, text string, fail bool) {
		code, stdout, stderr, outputs, _ := runHostile(t, text, fail)
		if code != Denied && code != BadInput {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		checkOnlyOwnCommands(t, text, stdout, stderr)
		outs, err := runnersim.OutputMap(outputs)
		if err != nil {
			t.Fatalf("the runner would fail reading GITHUB_OUTPUT: %v", err)
		}
		if !fail && !strings.Contains(text, "s3cret-token") && outs["echo"] != text {
			t.Errorf("echo output = %q, want %q", outs["echo"], text)
		}
	})
}

func TestLogText(t *testing.T) {
	for in, want := range map[string]string{
		"plain text: ok":      "plain text: ok",
		"::error::x":          `\::error::x`,
		" \t::error::x":       "\\ \t::error::x",
		"a\nb\rc":             `a\nb\rc`,
		"x ##[add-mask]y":     `x ##\[add-mask]y`,
		"###[":                `###\[`,
		"\x1b[31m":            `\x1b[31m`,
		"caf\u00e9 \u202eabc": `café \u202eabc`,
		"\xff":                `\xff`,
	} {
		if got := LogText(in); got != want {
			t.Errorf("LogText(%q) = %q, want %q", in, got, want)
		}
	}
	long := LogText(strings.Repeat("é", 5000))
	if len(long) > maxLineBytes || !strings.HasSuffix(long, "more bytes not shown)") {
		t.Errorf("a long line is %d bytes: ...%q", len(long), long[len(long)-40:])
	}
}

func TestMarkdown(t *testing.T) {
	for in, want := range map[string]string{
		"a_b":                 `a_b`,
		"<b>[x](y)</b> | !":   `&lt;b&gt;\[x\](y)&lt;/b&gt; \| !`,
		"line\n# heading":     `line<br># heading`,
		"tick ` and **bold**": "tick \\` and **bold**",
		"\x1b[0m":             `\x1b\[0m`,
	} {
		if got := MarkdownText(in); got != want {
			t.Errorf("MarkdownText(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"a.yml":  "`a.yml`",
		"a`b":    "``a`b``",
		"`x`":    "`` `x` ``",
		"a|b\nc": "`a\\|b\\nc`",
		"":       "` `",
	} {
		if got := MarkdownCode(in); got != want {
			t.Errorf("MarkdownCode(%q) = %q, want %q", in, got, want)
		}
	}
}

var (
	fencedBlock = regexp.MustCompile("(?s)```text\n.*?\n```")
	rawLink     = regexp.MustCompile(`[^\\]\]\(https://evil`)
)

// outsideCode drops fenced code blocks and code spans from Markdown: what
// is left is what GitHub renders as Markdown and HTML.
func outsideCode(md string) string {
	md = fencedBlock.ReplaceAllString(md, "")
	var b strings.Builder
	for i := 0; i < len(md); {
		if md[i] != '`' || (i > 0 && md[i-1] == '\\') {
			b.WriteByte(md[i])
			i++
			continue
		}
		n := 0
		for i+n < len(md) && md[i+n] == '`' {
			n++
		}
		fence := md[i : i+n]
		end := strings.Index(md[i+n:], fence)
		if end < 0 {
			b.WriteString(fence)
			i += n
			continue
		}
		i += n + end + n
	}
	return b.String()
}
