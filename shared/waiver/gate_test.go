package waiver_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/waiver"
)

// configGate reads the configuration with FromInputs and reports what it
// found in its reason, so each path of FromInputs runs through the real
// runtime.
var configGate = &gate.Gate{
	Spec: gate.Spec{
		Name: "workflow-audit", Title: "config test", Description: "Loads the configuration. Nothing more.",
		Inputs: waiver.Inputs(),
		Rules:  append([]finding.Rule{{ID: "unpinned-uses", Severity: finding.High, Summary: "s", Help: "h"}}, waiver.Rules("")...),
	},
	Run: func(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
		s, err := waiver.FromInputs(in, "workflow-audit", append([]finding.Rule{{ID: "unpinned-uses"}}, waiver.Rules("")...))
		if err != nil {
			return nil, err
		}
		reason := fmt.Sprintf("today %s, max %d, %d waivers, %d rule settings", s.Policy.Today(), s.Policy.MaxDays(), len(s.Gate.Waivers), len(s.Gate.Rules))
		for _, a := range s.Read {
			reason += fmt.Sprintf(", read %s %s", a.Path, a.Digest)
		}
		return &gate.Result{Reason: reason, Read: s.Read}, nil
	},
}

func runConfigGate(t *testing.T, files, links map[string]string, args ...string) (gate.ExitCode, string, string) {
	t.Helper()
	ws := t.TempDir()
	for name, target := range links {
		p := filepath.Join(ws, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range files {
		p := filepath.Join(ws, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	env := map[string]string{"GITHUB_WORKSPACE": ws}
	code := gate.Execute(context.Background(), configGate, gate.Process{
		Args: append([]string{"--sarif-file="}, args...), Getenv: func(k string) string { return env[k] },
		Stdout: &stdout, Stderr: &stderr, Cwd: ws, Now: func() time.Time { return now },
	})
	return code, stdout.String(), stderr.String()
}

func TestFromInputs(t *testing.T) {
	good := "version: 1\nworkflow-audit:\n  rules:\n    unpinned-uses: {severity: low}\n  waivers:\n    - rule: unpinned-uses\n      reason: r\n      expires: 2026-02-01\n"
	tests := []struct {
		name  string
		files map[string]string
		links map[string]string
		args  []string
		code  gate.ExitCode
		out   string // in stdout
		err   string // in stderr
	}{
		{name: "no file at the default path", code: gate.Passed, out: "today 2026-01-15, max 90, 0 waivers, 0 rule settings\n"},
		{name: "default file", files: map[string]string{".github/hub.yml": good}, code: gate.Passed,
			out: "today 2026-01-15, max 90, 1 waivers, 1 rule settings, read .github/hub.yml sha256:"},
		{name: "file named explicitly", files: map[string]string{"conf/hub.yml": good}, args: []string{"--config=conf/hub.yml", "--max-waiver-days=30"}, code: gate.Passed,
			out: "today 2026-01-15, max 30, 1 waivers, 1 rule settings, read conf/hub.yml sha256:"},
		{name: "missing file named explicitly", args: []string{"--config=conf/hub.yml"}, code: gate.BadInput,
			err: `input "config": does not exist (got "conf/hub.yml")`},
		// The runner passes every input's default when "with:" leaves it
		// out, so the default given explicitly means what omitting it means.
		{name: "default path given and missing", args: []string{"--config=.github/hub.yml"}, code: gate.Passed,
			out: "today 2026-01-15, max 90, 0 waivers, 0 rule settings"},
		{name: "a link out of the workspace", links: map[string]string{"conf/hub.yml": "/etc/passwd"}, args: []string{"--config=conf/hub.yml"}, code: gate.BadInput,
			err: `input "config": resolves outside the workspace (got "conf/hub.yml")`},
		{name: "a directory", files: map[string]string{"conf/x": ""}, args: []string{"--config=conf"}, code: gate.BadInput,
			err: `input "config": is a directory, want a YAML file (got "conf")`},
		{name: "outside the workspace", args: []string{"--config=../hub.yml"}, code: gate.BadInput,
			err: `input "config": resolves outside the workspace (got "../hub.yml")`},
		{name: "too large", files: map[string]string{".github/hub.yml": "version: 1\n#" + strings.Repeat("x", waiver.MaxFileSize)}, code: gate.BadInput,
			err: `.github/hub.yml: invalid value: expected at most 1048576 bytes, got more`},
		{name: "max days zero", args: []string{"--max-waiver-days=0"}, code: gate.BadInput,
			err: `input "max-waiver-days": want 1 or more (got "0")`},
		{name: "bad file", files: map[string]string{".github/hub.yml": "version: 1\nworkflow-audit:\n  waiverz: []\n"}, code: gate.BadInput,
			err: `workflow-audit: .github/hub.yml:3: unknown key "waiverz" in section "workflow-audit": expected one of rules, waivers`},
		{name: "too long", files: map[string]string{".github/hub.yml": strings.Replace(good, "2026-02-01", "2026-03-01", 1)}, args: []string{"--max-waiver-days=30"}, code: gate.BadInput,
			err: `.github/hub.yml:8: workflow-audit.waivers[0]: waiver runs longer than allowed: expected expires on or before "2026-02-14" (30 days from 2026-01-15), got "2026-03-01" (45 days)` + "\nworkflow-audit: (waivers may run at most 30 days, the max-waiver-days input)"},
		{name: "unknown rule", files: map[string]string{".github/hub.yml": strings.Replace(good, "unpinned-uses: {", "unpinned-use: {", 1)}, code: gate.BadInput,
			err: `.github/hub.yml:4: unknown rule: workflow-audit.rules: expected one of expired-waiver, invalid-waiver, unpinned-uses, unused-waiver, got "unpinned-use"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runConfigGate(t, tt.files, tt.links, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.err) {
				t.Errorf("want %q in stdout and %q in stderr\nstdout:\n%s\nstderr:\n%s", tt.out, tt.err, out, errOut)
			}
		})
	}
}
