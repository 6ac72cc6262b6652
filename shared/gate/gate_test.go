package gate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/runnersim"
)

// testGate declares one input of every kind and behaves as its "behave"
// input says, so each runtime path can be driven from a test.
func testGate() *Gate {
	return &Gate{
		Spec: Spec{
			Name: "test-gate", Title: "a gate for tests", Description: "Exercises the runtime. Nothing more.",
			Inputs: []Input{
				{Name: "behave", Kind: Enum, Values: []string{"pass", "deny", "panic", "block", "fail", "bad-config", "bad-output", "many", "waived"}, Default: "pass", Description: "What to do."},
				{Name: "flag", Kind: Bool, Default: "false", Description: "A bool."},
				{Name: "count", Kind: Int, Default: "1", Description: "An int.", Check: nonNegative},
				{Name: "timeout", Kind: Duration, Default: "30s", Description: "A duration."},
				{Name: "items", Kind: List, Description: "A list."},
				{Name: "file", Kind: Path, Description: "A path."},
				{Name: "token", Kind: Secret, Description: "A secret."},
				{Name: "needed", Kind: String, Description: "Required text.", Required: true},
			},
			Outputs: []Output{{Name: "echo", Description: "The token, to prove outputs are redacted, and the items."}},
			Rules: []finding.Rule{
				{ID: "bad-thing", Severity: finding.High, Summary: "A bad thing.", Help: "Do the good thing."},
				{ID: "odd-thing", Severity: finding.Medium, Summary: "An odd thing.", Help: "Do the usual thing."},
			},
		},
		Run: func(ctx context.Context, in *Inputs) (*Result, error) {
			res := &Result{Outputs: map[string]string{"echo": in.String("token") + "|" + strings.Join(in.List("items"), ";")}}
			switch in.String("behave") {
			case "deny":
				res.Denied = true
				res.Reason = "a bad thing was found"
				res.Findings = []finding.Finding{{Rule: "bad-thing", Severity: finding.High, Message: "bad thing here", Path: "a.yml", Line: 2, Col: 3, Fingerprint: "fp"}}
				res.Read = []evidence.Artifact{{Path: "a.yml", Digest: "sha256:" + strings.Repeat("0", 64)}}
			case "many":
				res.Denied = true
				for i := 0; i < in.Int("count"); i++ {
					res.Findings = append(res.Findings, finding.Finding{Rule: "bad-thing", Severity: finding.High, Message: fmt.Sprintf("bad %d", i), Path: "a.yml", Line: i + 1, Fingerprint: fmt.Sprint(i)})
				}
			case "panic":
				var m map[string]int
				m["boom"]++
			case "block":
				select {} // ignores ctx on purpose
			case "fail":
				return nil, fmt.Errorf("reading the thing: %w", os.ErrDeadlineExceeded)
			case "bad-config":
				return nil, BadConfig(fmt.Errorf("config %q: line 3: unknown key %q", "hub.yml", "rulez"))
			case "bad-output":
				res.Outputs["nope"] = "x"
			case "waived":
				waive := func(reason, src string) *finding.Suppression {
					return &finding.Suppression{Kind: "external", Justification: reason, Expires: "2026-12-31", Source: src}
				}
				res.Findings = []finding.Finding{
					{Rule: "odd-thing", Severity: finding.Medium, Message: "odd here", Path: "b.yml", Line: 1, Fingerprint: "o1"},
					{Rule: "bad-thing", Severity: finding.High, Message: "bad but accepted", Path: "a.yml", Line: 4, Fingerprint: "b4",
						Suppression: waive("vendor | pinned upstream", ".github/hub.yml:7")},
					{Rule: "odd-thing", Severity: finding.High, Message: "odd and high", Path: "c.yml", Line: 2, Fingerprint: "o2"},
					{Rule: "bad-thing", Severity: finding.High, Message: "bad here", Path: "z.yml", Line: 9, Fingerprint: "b9"},
				}
				res.Denied = finding.CountAtLeast(res.Findings, finding.High) > 0
				res.Reason = fmt.Sprintf("now %s, file given %t", in.Env.Now.Format(time.RFC3339), in.Given("file"))
			}
			return res, nil
		},
	}
}

type harness struct {
	t       *testing.T
	ws      string
	env     map[string]string
	args    []string
	stdout  bytes.Buffer
	stderr  bytes.Buffer
	outFile string
	sumFile string
}

func newHarness(t *testing.T, actions bool) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, ws: filepath.Join(dir, "ws"), env: map[string]string{"INPUT_NEEDED": "x"}}
	must(t, os.MkdirAll(h.ws, 0o755))
	must(t, os.MkdirAll(filepath.Join(dir, "temp"), 0o755))
	h.env["GITHUB_WORKSPACE"] = h.ws
	h.env["RUNNER_TEMP"] = filepath.Join(dir, "temp")
	if actions {
		h.outFile = filepath.Join(dir, "output")
		h.sumFile = filepath.Join(dir, "summary")
		h.env["GITHUB_ACTIONS"] = "true"
		h.env["GITHUB_OUTPUT"] = h.outFile
		h.env["GITHUB_STEP_SUMMARY"] = h.sumFile
		h.env["GITHUB_REPOSITORY"] = "hubgates/hub"
		h.env["GITHUB_SHA"] = strings.Repeat("a", 40)
	}
	return h
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (h *harness) run(ctx context.Context) ExitCode {
	var environ []string
	for k, v := range h.env {
		environ = append(environ, k+"="+v)
	}
	return Execute(ctx, testGate(), Process{
		Args: h.args, Getenv: func(k string) string { return h.env[k] }, Environ: environ,
		Stdout: &h.stdout, Stderr: &h.stderr, Cwd: h.ws, Grace: 100 * time.Millisecond,
		Now: func() time.Time { return time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC) },
	})
}

// outputs reads the GITHUB_OUTPUT file as the runner does.
func (h *harness) outputs() map[string]string {
	h.t.Helper()
	m, err := runnersim.OutputMap(h.file(h.outFile))
	if err != nil {
		h.t.Fatalf("the runner would fail the step reading GITHUB_OUTPUT: %v", err)
	}
	return m
}

func (h *harness) file(p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

func TestBadInputsNameTheInputAndValue(t *testing.T) {
	tests := []struct {
		key, value, want string
	}{
		{"INPUT_FLAG", "yes", `input "flag": want true or false (got "yes")`},
		{"INPUT_COUNT", "ten", `input "count": want a whole number (got "ten")`},
		{"INPUT_COUNT", "-1", `input "count": want zero or more (got "-1")`},
		{"INPUT_TIMEOUT", "5 minutes", `input "timeout": want a duration such as 90s or 2m (got "5 minutes")`},
		{"INPUT_TIMEOUT", "-5s", `input "timeout": want a positive duration (got "-5s")`},
		{"INPUT_BEHAVE", "explode", `input "behave": want one of pass, deny, panic, block, fail, bad-config, bad-output, many, waived (got "explode")`},
		{"INPUT_MODE", "audit", `input "mode": want one of enforce, warn (got "audit")`},
		{"INPUT_FILE", "../outside", `input "file": resolves outside the workspace (got "../outside")`},
		{"INPUT_FILE", "/etc/passwd", `input "file": resolves outside the workspace (got "/etc/passwd")`},
		{"INPUT_NEEDED", "", `input "needed": is required (got "")`},
		{"INPUT_WITH-TYPO", "1", `input "with-typo": not an input of test-gate (set as INPUT_WITH-TYPO)`},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			h := newHarness(t, true)
			h.env[tt.key] = tt.value
			if code := h.run(context.Background()); code != BadInput {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, h.stderr.String())
			}
			if !strings.Contains(h.stderr.String(), tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, h.stderr.String())
			}
			if v := h.outputs()["verdict"]; v != "bad-input" {
				t.Errorf("verdict output %q, want bad-input", v)
			}
			if !strings.Contains(h.file(h.sumFile), "## ⛔ test-gate: bad input") {
				t.Errorf("summary does not lead with the verdict:\n%s", h.file(h.sumFile))
			}
		})
	}
}

func TestPathThroughSymlinkOutsideIsRefused(t *testing.T) {
	h := newHarness(t, false)
	outside := t.TempDir()
	must(t, os.Symlink(outside, filepath.Join(h.ws, "link")))
	h.env["INPUT_FILE"] = "link/secret.txt"
	if code := h.run(context.Background()); code != BadInput {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(h.stderr.String(), `input "file": resolves outside the workspace (got "link/secret.txt")`) {
		t.Error(h.stderr.String())
	}
}

func TestPathInsideWorkspaceAndRunnerTemp(t *testing.T) {
	h := newHarness(t, false)
	must(t, os.MkdirAll(filepath.Join(h.ws, "sub"), 0o755))
	h.env["INPUT_FILE"] = "sub/../sub/new.txt"
	h.env["INPUT_EVIDENCE-DIR"] = filepath.Join(h.env["RUNNER_TEMP"], "ev")
	if code := h.run(context.Background()); code != Passed {
		t.Fatalf("exit %d; stderr:\n%s", code, h.stderr.String())
	}
	// A plain Path (read) input may not use RUNNER_TEMP.
	h = newHarness(t, false)
	h.env["INPUT_FILE"] = filepath.Join(h.env["RUNNER_TEMP"], "x")
	if code := h.run(context.Background()); code != BadInput {
		t.Fatalf("exit %d, want 2 for a read path under RUNNER_TEMP", code)
	}
}

func TestSecretsAreMaskedFirstAndRedacted(t *testing.T) {
	h := newHarness(t, true)
	h.env["INPUT_TOKEN"] = "s3cr3t-value"
	h.env["INPUT_BEHAVE"] = "deny"
	h.env["INPUT_EVIDENCE-DIR"] = "ev"
	if code := h.run(context.Background()); code != Denied {
		t.Fatalf("exit %d; stderr:\n%s", code, h.stderr.String())
	}
	out := h.stdout.String()
	if !strings.HasPrefix(out, "::add-mask::s3cr3t-value\n") {
		t.Errorf("the mask is not the first thing printed:\n%s", out)
	}
	if strings.Count(out, "s3cr3t-value") != 1 {
		t.Errorf("secret printed beyond its mask:\n%s", out)
	}
	if strings.Contains(h.file(h.outFile), "s3cr3t-value") {
		t.Errorf("secret leaked into outputs:\n%s", h.file(h.outFile))
	}
	matches, _ := filepath.Glob(filepath.Join(h.ws, "ev", "*.json"))
	if len(matches) != 1 {
		t.Fatalf("evidence files: %v", matches)
	}
	ev := h.file(matches[0])
	if strings.Contains(ev, "s3cr3t-value") || !strings.Contains(ev, `"token": "***"`) {
		t.Errorf("evidence does not redact the secret:\n%s", ev)
	}
	// Locally there is no runner to mask: the value is redacted instead.
	h = newHarness(t, false)
	h.env["INPUT_TOKEN"] = "s3cr3t-value"
	h.run(context.Background())
	if strings.Contains(h.stdout.String()+h.stderr.String(), "s3cr3t-value") {
		t.Errorf("local run printed the secret:\n%s%s", h.stdout.String(), h.stderr.String())
	}
}

func TestBadSecretValueIsNotPrinted(t *testing.T) {
	h := newHarness(t, false)
	h.env["INPUT_WITH-TYPO"] = "ghp_abcdef"
	h.run(context.Background())
	if strings.Contains(h.stderr.String(), "ghp_abcdef") {
		t.Errorf("value of an unknown input printed:\n%s", h.stderr.String())
	}
}

func TestDenyEnforceAndWarn(t *testing.T) {
	h := newHarness(t, true)
	h.env["INPUT_BEHAVE"] = "deny"
	if code := h.run(context.Background()); code != Denied {
		t.Fatalf("enforce: exit %d", code)
	}
	sum := h.file(h.sumFile)
	if !strings.HasPrefix(sum, "## ❌ test-gate: denied, 1 finding (1 high)") {
		t.Errorf("summary:\n%s", sum)
	}
	if !strings.Contains(sum, "[a.yml:2](https://github.com/hubgates/hub/blob/"+strings.Repeat("a", 40)+"/a.yml#L2)") {
		t.Errorf("summary lacks the linked location:\n%s", sum)
	}
	if !strings.Contains(h.stdout.String(), "::error col=3,file=a.yml,line=2,title=test-gate%3A bad-thing::bad thing here") {
		t.Errorf("no annotation:\n%s", h.stdout.String())
	}
	if !strings.Contains(h.stdout.String(), "a.yml:2:3: bad thing here [bad-thing]") {
		t.Errorf("log lacks the finding line:\n%s", h.stdout.String())
	}

	h = newHarness(t, true)
	h.env["INPUT_BEHAVE"] = "deny"
	h.env["INPUT_MODE"] = "warn"
	if code := h.run(context.Background()); code != Passed {
		t.Fatalf("warn: exit %d", code)
	}
	sum = h.file(h.sumFile)
	if !strings.HasPrefix(sum, "## ⚠️ test-gate: denied") || !strings.Contains(sum, "enforce would have failed this step (exit 1)") {
		t.Errorf("warn summary:\n%s", sum)
	}
	if !strings.Contains(h.file(h.outFile), "\ndenied\n") {
		t.Errorf("warn verdict output:\n%s", h.file(h.outFile))
	}
}

func TestUndecidedPaths(t *testing.T) {
	for behave, want := range map[string]string{
		"panic":      "internal error in gate test-gate: panic: assignment to entry in nil map",
		"fail":       "reading the thing: i/o timeout",
		"bad-output": `undeclared output "nope"`,
	} {
		h := newHarness(t, true)
		h.env["INPUT_BEHAVE"] = behave
		if code := h.run(context.Background()); code != Undecided {
			t.Errorf("%s: exit %d, want 3", behave, code)
		}
		if !strings.Contains(h.stderr.String(), want) {
			t.Errorf("%s: stderr lacks %q:\n%s", behave, want, h.stderr.String())
		}
		if !strings.Contains(h.file(h.outFile), "\nundecided\n") {
			t.Errorf("%s: verdict output:\n%s", behave, h.file(h.outFile))
		}
	}
	h := newHarness(t, false)
	h.env["INPUT_BEHAVE"] = "bad-config"
	if code := h.run(context.Background()); code != BadInput {
		t.Errorf("bad-config: exit %d, want 2", code)
	}
}

func TestCancelledGateIsUndecided(t *testing.T) {
	h := newHarness(t, false)
	h.env["INPUT_BEHAVE"] = "block"
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if code := h.run(ctx); code != Undecided {
		t.Fatalf("exit %d, want 3", code)
	}
	if !strings.Contains(h.stderr.String(), "cancelled before a verdict") {
		t.Error(h.stderr.String())
	}
}

func TestAnnotationsAreCapped(t *testing.T) {
	h := newHarness(t, true)
	h.env["INPUT_BEHAVE"] = "many"
	h.env["INPUT_COUNT"] = "12"
	h.env["INPUT_MAX-ANNOTATIONS"] = "3"
	h.run(context.Background())
	out := h.stdout.String()
	if n := strings.Count(out, "::error "); n != 3 {
		t.Errorf("%d error annotations, want 3", n)
	}
	if !strings.Contains(out, "::notice::test-gate: and 9 more findings not annotated") {
		t.Errorf("no count of the rest:\n%s", out)
	}
}

func TestOutputsMultilineInFileAndStdoutLocally(t *testing.T) {
	h := newHarness(t, true)
	h.env["INPUT_ITEMS"] = "a\nb,c"
	h.run(context.Background())
	if v := h.outputs()["echo"]; v != "|a;b;c" {
		t.Errorf("echo output %q:\n%s", v, h.file(h.outFile))
	}
	h = newHarness(t, false)
	h.args = []string{"--items=x,y", "--needed", "z"}
	if code := h.run(context.Background()); code != Passed {
		t.Fatalf("exit %d: %s", code, h.stderr.String())
	}
	for _, want := range []string{"verdict=passed\n", "findings=0\n", "echo=|x;y\n", "sarif-file=test-gate.sarif\n", "SARIF written to test-gate.sarif\n"} {
		if !strings.Contains(h.stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, h.stdout.String())
		}
	}
	if _, err := os.Stat(filepath.Join(h.ws, "test-gate.sarif")); err != nil {
		t.Error(err)
	}
}

func TestCommandLine(t *testing.T) {
	h := newHarness(t, false)
	h.args = []string{"--help"}
	if code := h.run(context.Background()); code != Passed {
		t.Fatalf("--help exit %d", code)
	}
	for _, want := range []string{"Usage: test-gate", "--flag", "--mode", "enforce|warn", `(default "30s")`, "(required)", "Exit codes: 0 passed"} {
		if !strings.Contains(h.stdout.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, h.stdout.String())
		}
	}
	for _, args := range [][]string{{"--nope=1"}, {"stray"}, {"--count"}, {"--flag=true", "--flag=false"}} {
		h := newHarness(t, false)
		h.args = args
		if code := h.run(context.Background()); code != BadInput {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	h = newHarness(t, false)
	h.args = []string{"--flag", "--count", "4"}
	if code := h.run(context.Background()); code != Passed {
		t.Errorf("bare bool flag and spaced value: exit %d: %s", code, h.stderr.String())
	}
}

func TestEvidenceRecord(t *testing.T) {
	h := newHarness(t, true)
	h.env["INPUT_BEHAVE"] = "deny"
	h.env["INPUT_EVIDENCE-DIR"] = "evidence"
	h.run(context.Background())
	matches, _ := filepath.Glob(filepath.Join(h.ws, "evidence", "test-gate-*.json"))
	if len(matches) != 1 {
		t.Fatalf("evidence files: %v", matches)
	}
	var rec evidence.Record
	must(t, json.Unmarshal([]byte(h.file(matches[0])), &rec))
	if rec.Gate != "test-gate" || rec.Verdict != "denied" || rec.ExitCode != 1 || len(rec.Findings) != 1 || len(rec.Read) != 1 || rec.Inputs["behave"] != "deny" {
		t.Errorf("record: %+v", rec)
	}
	if v := h.outputs()["evidence-file"]; !strings.HasPrefix(v, "evidence/test-gate-") {
		t.Errorf("evidence-file output %q", v)
	}
}

func TestSpecValidateCollectsProblems(t *testing.T) {
	s := Spec{Name: "Bad Name", Inputs: []Input{
		{Name: "mode", Kind: String, Description: "clash"},
		{Name: "n", Kind: Int, Default: "x", Description: "d"},
		{Name: "e", Kind: Enum, Description: "d"},
		{Name: "r", Kind: String, Required: true, Default: "x", Description: "d"},
	}}
	err := s.Validate()
	if err == nil {
		t.Fatal("invalid spec accepted")
	}
	for _, want := range []string{`gate name "Bad Name"`, "description is empty", `input "mode": declared twice`, `input "n": default "x"`, `input "e": enum without values`, `input "r": required inputs take no default`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	g := testGate()
	if err := g.Spec.Validate(); err != nil {
		t.Errorf("test gate invalid: %v", err)
	}
}

func TestActionYAMLParsesAndDeclaresEveryInput(t *testing.T) {
	g := testGate()
	b, err := g.Spec.ActionYAML("docker://ghcr.io/hubgates/hub/test-gate@sha256:" + strings.Repeat("0", 64))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Inputs map[string]struct {
			Description string
			Required    bool
			Default     string
		}
		Outputs map[string]any
		Runs    struct{ Using, Image string }
	}
	must(t, yaml.Unmarshal(b, &doc))
	if len(doc.Inputs) != len(g.Spec.AllInputs()) || len(doc.Outputs) != len(g.Spec.AllOutputs()) {
		t.Errorf("inputs %d outputs %d", len(doc.Inputs), len(doc.Outputs))
	}
	if doc.Inputs["timeout"].Default != "30s" || !doc.Inputs["needed"].Required || doc.Runs.Using != "docker" {
		t.Errorf("parsed: %+v", doc)
	}
	if _, err := g.Spec.ActionYAML("docker://ghcr.io/x:latest"); err == nil {
		t.Error("an unpinned image was accepted")
	}
}

func TestEnvNowAndGiven(t *testing.T) {
	h := newHarness(t, false)
	h.env["INPUT_BEHAVE"] = "waived"
	h.run(context.Background())
	if !strings.Contains(h.stdout.String(), "now 2026-11-28T10:00:00Z, file given false\n") {
		t.Errorf("Env.Now is not the process clock, or Given is wrong:\n%s", h.stdout.String())
	}
	h = newHarness(t, false)
	h.env["INPUT_BEHAVE"] = "waived"
	h.env["INPUT_FILE"] = "x.txt"
	h.run(context.Background())
	if !strings.Contains(h.stdout.String(), "file given true\n") {
		t.Errorf("Given missed an input set in the environment:\n%s", h.stdout.String())
	}
}

func TestWaivedFindingsAreShownApartAndDoNotCount(t *testing.T) {
	h := newHarness(t, true)
	h.env["INPUT_BEHAVE"] = "waived"
	h.env["INPUT_TELEMETRY-FILE"] = "t.ndjson"
	if code := h.run(context.Background()); code != Denied {
		t.Fatalf("exit %d; stderr:\n%s", code, h.stderr.String())
	}
	sum := h.file(h.sumFile)
	link := func(p string, line int) string {
		return fmt.Sprintf("[%s:%d](https://github.com/hubgates/hub/blob/%s/%s#L%d)", p, line, strings.Repeat("a", 40), p, line)
	}
	want := "## ❌ test-gate: denied, 3 findings (2 high, 1 medium), 1 waived\n\n" +
		"now 2026-11-28T10:00:00Z, file given false\n\n" +
		"| Severity | Findings | Waived |\n|---|---|---|\n| high | 2 | 1 |\n| medium | 1 | 0 |\n\n" +
		"### Findings\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|\n" +
		"| high | `bad-thing` | " + link("z.yml", 9) + " | bad here |\n" +
		"| high | `odd-thing` | " + link("c.yml", 2) + " | odd and high |\n" +
		"| medium | `odd-thing` | " + link("b.yml", 1) + " | odd here |\n\n" +
		"### Waived\n\nAccepted by a waiver until it expires; not counted toward the verdict.\n\n" +
		"| Severity | Rule | Location | Reason | Expires | Waiver |\n|---|---|---|---|---|---|\n" +
		"| high | `bad-thing` | " + link("a.yml", 4) + " | vendor \\| pinned upstream | 2026-12-31 | " + link(".github/hub.yml", 7) + " |\n\n"
	if !strings.HasPrefix(sum, want) {
		t.Errorf("summary:\n%s\nwant it to start with:\n%s", sum, want)
	}
	out := h.stdout.String()
	if !strings.Contains(out, "a.yml:4: bad but accepted [bad-thing] (waived until 2026-12-31 by .github/hub.yml:7: vendor | pinned upstream)\n") {
		t.Errorf("log lacks the waived finding with its waiver:\n%s", out)
	}
	if strings.Contains(out, "bad but accepted\n") || strings.Count(out, "::error ") != 2 || strings.Count(out, "::warning ") != 1 {
		t.Errorf("annotations should cover exactly the 3 unwaived findings:\n%s", out)
	}
	if strings.Contains(out, "::error file=a.yml") {
		t.Errorf("a waived finding was annotated:\n%s", out)
	}
	if v := h.outputs()["findings"]; v != "3" {
		t.Errorf("findings output %q should count the 3 unwaived findings", v)
	}
	tel := h.file(filepath.Join(h.ws, "t.ndjson"))
	if !strings.Contains(tel, `"total":3`) || !strings.Contains(tel, `"waived":1`) {
		t.Errorf("telemetry should count 3 findings and 1 waived:\n%s", tel)
	}
	sarif := h.file(filepath.Join(h.ws, "test-gate.sarif"))
	if strings.Count(sarif, `"ruleId"`) != 4 || !strings.Contains(sarif, `"justification": "vendor | pinned upstream"`) {
		t.Errorf("SARIF should keep all 4 results, the waived one with its suppression:\n%s", sarif)
	}
}

func TestCategoryInput(t *testing.T) {
	read := func(h *harness) string { return h.file(filepath.Join(h.ws, "test-gate.sarif")) }
	h := newHarness(t, false)
	if code := h.run(context.Background()); code != Passed {
		t.Fatalf("exit %d: %s", code, h.stderr.String())
	}
	if !strings.Contains(read(h), `"id": "test-gate/"`) {
		t.Errorf("default category is not the gate name:\n%s", read(h))
	}
	h = newHarness(t, false)
	h.env["INPUT_CATEGORY"] = "hub/audit-prod"
	h.run(context.Background())
	if !strings.Contains(read(h), `"id": "hub/audit-prod/"`) {
		t.Errorf("category input not used:\n%s", read(h))
	}
	for _, bad := range []string{"a b", "//"} {
		h = newHarness(t, false)
		h.env["INPUT_CATEGORY"] = bad
		if code := h.run(context.Background()); code != BadInput || !strings.Contains(h.stderr.String(), `input "category"`) {
			t.Errorf("category %q: exit %d, stderr:\n%s", bad, code, h.stderr.String())
		}
	}
	g := testGate()
	g.Spec.SARIFCategory = "hub/tests"
	for _, in := range g.Spec.AllInputs() {
		if in.Name == InputCategory && in.Default != "hub/tests" {
			t.Errorf("category default %q, want SARIFCategory", in.Default)
		}
	}
	if err := g.Spec.Validate(); err != nil {
		t.Error(err)
	}
	noRules := Spec{Name: "no-rules", Description: "d."}
	for _, in := range noRules.AllInputs() {
		if in.Name == InputCategory {
			t.Error("a gate without rules got the category input")
		}
	}
}

// A file found through an input (not named by it) that cannot be read is
// bad input naming the input and the file; an I/O error is not.
func TestFileInputError(t *testing.T) {
	for err, want := range map[error]string{
		&fs.PathError{Op: "open", Path: "a.json", Err: fs.ErrNotExist}:       `input "artifacts": does not exist (got "a.json")`,
		&fs.PathError{Op: "open", Path: "a.json", Err: fsroot.ErrEscapes}:    `input "artifacts": leads outside the workspace (through a symbolic link or "..") (got "a.json")`,
		&fs.PathError{Op: "open", Path: "a.json", Err: fsroot.ErrNotRegular}: `input "artifacts": is not a regular file (got "a.json")`,
		&fs.PathError{Op: "open", Path: "a.json", Err: fs.ErrPermission}:     `input "artifacts": cannot be read: permission denied (got "a.json")`,
	} {
		got := FileInputError("artifacts", "a.json", err)
		var ie *InputError
		if !errors.As(got, &ie) || got.Error() != want || !errors.Is(got, err) {
			t.Errorf("%v: got %v, want %s", err, got, want)
		}
	}
	io := errors.New("input/output error")
	if got := FileInputError("artifacts", "a.json", io); isBadInput(got) || !errors.Is(got, io) {
		t.Errorf("I/O error: got %v, want it wrapped, not bad input", got)
	}
}
