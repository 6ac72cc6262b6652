package actions

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/actions/workflow-audit/audit"
	"github.com/hubgates/hub/shared/release"
)

// TestHubFilesAreGenerated: the root action and the reusable workflows are
// exactly what the declarations and the gate pins give (hub-gen --check
// says the same in CI).
func TestHubFilesAreGenerated(t *testing.T) {
	files, err := RenderHub("..")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 {
		t.Errorf("RenderHub gave %d files, want 4", len(files))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from its rendering: run go run ./shared/cmd/hub-gen", name)
		}
	}
}

// TestHubPinsAreTheGatePins: every docker:// step of the root action and
// the reusable workflows names the digest its gate's action.yml pins, and a
// new gate pin moves them.
func TestHubPinsAreTheGatePins(t *testing.T) {
	gatePins := map[string]string{}
	for _, g := range All() {
		img, err := CommittedImage(filepath.Join("..", "actions", g.Spec.Name, "action.yml"))
		if err != nil {
			t.Fatal(err)
		}
		gatePins[g.Spec.Name] = strings.TrimPrefix(img, "docker://")
	}
	files, err := RenderHub("..")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	var names []string
	for name, data := range files {
		writeTestFile(t, filepath.Join(root, filepath.FromSlash(name)), data)
		names = append(names, name)
	}
	pins, err := release.FindPins(root, names)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range pins {
		seen[p.Gate] = true
		if p.Ref != gatePins[p.Gate] {
			t.Errorf("%s pins %s, actions/%s/action.yml pins %s", p, p.Ref, p.Gate, gatePins[p.Gate])
		}
	}
	for _, g := range []string{"workflow-audit", "sarif-gate", "sign", "verify-signature", "verify-provenance", "rekor-monitor", "secret-sweep", "sbom-gate", "dr-drill", "evidence"} {
		if !seen[g] {
			t.Errorf("no step runs %s", g)
		}
	}

	// Another pin in sign's action.yml is another rendering.
	for _, g := range All() {
		data, err := os.ReadFile(filepath.Join("..", "actions", g.Spec.Name, "action.yml"))
		if err != nil {
			t.Fatal(err)
		}
		if g.Spec.Name == "sign" {
			data = bytes.Replace(data, []byte(gatePins["sign"]), []byte("ghcr.io/hubgates/hub/sign@sha256:"+strings.Repeat("5", 64)), 1)
		}
		writeTestFile(t, filepath.Join(root, "actions", g.Spec.Name, "action.yml"), data)
	}
	moved, err := RenderHub(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"action.yml", ".github/workflows/hub-release.yml"} {
		if !bytes.Contains(moved[name], []byte(strings.Repeat("5", 64))) || bytes.Contains(moved[name], []byte(gatePins["sign"])) {
			t.Errorf("%s did not follow sign's new pin", name)
		}
	}
}

func writeTestFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// hubWorkflows are the workflows hub ships: its own, the reusable ones and
// the caller examples.
func hubWorkflows(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{"../.github/workflows/*.yml", "../workflows/*.yml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) < 8 {
		t.Fatalf("found only %v", out)
	}
	return out
}

func lint(t *testing.T, paths []string) []*actionlint.Error {
	t.Helper()
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFiles(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	return errs
}

// TestHubWorkflowsPassActionlint lints every workflow hub ships, and shows
// the lint can fail on a broken copy.
func TestHubWorkflowsPassActionlint(t *testing.T) {
	paths := hubWorkflows(t)
	for _, e := range lint(t, paths) {
		t.Errorf("%s:%d:%d: %s [%s]", e.Filepath, e.Line, e.Column, e.Message, e.Kind)
	}
	data, err := os.ReadFile("../.github/workflows/hub-pull-request.yml")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yml")
	writeTestFile(t, bad, bytes.Replace(data, []byte("inputs.audit-fail-on"), []byte("inputs.audit-fail-onn"), 1))
	if errs := lint(t, []string{bad}); len(errs) == 0 {
		t.Error("actionlint found nothing in a workflow that reads an undeclared input")
	}
}

// TestCallerWorkflowsPassWorkflowAudit audits workflows/ (outside the
// default paths of TestHubPassesItsOwnWorkflowAudit), and an unpinned
// copy of one of them fails.
func TestCallerWorkflowsPassWorkflowAudit(t *testing.T) {
	rep, err := audit.Scan(context.Background(), "..", audit.Options{Paths: []string{"workflows/*.yml"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		t.Errorf("%s (%s)", f, f.Severity)
	}
	if len(rep.Files) < 4 {
		t.Errorf("audited %d caller workflows, want 4", len(rep.Files))
	}
	data, err := os.ReadFile("../workflows/pull-request.yml")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	writeTestFile(t, filepath.Join(root, "workflows", "pull-request.yml"),
		regexp.MustCompile(`@[0-9a-f]{40}`).ReplaceAll(data, []byte("@main")))
	rep, err = audit.Scan(context.Background(), root, audit.Options{Paths: []string{"workflows/*.yml"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) == 0 {
		t.Error("the audit passed a caller workflow that calls hub at a branch")
	}
}

// TestSecretSweepProfileSeesTheRunner: the root action's secret-sweep
// profile runs the gate's pinned image on the runner itself, with what
// TestSecretSweepHostContainer proves the host scope needs (the runner's
// processes, SYS_PTRACE, its file system read-only at /host), and passes
// every input, the secrets above all, through the environment by name:
// no value is written into the script.
func TestSecretSweepProfileSeesTheRunner(t *testing.T) {
	files, err := RenderHub("..")
	if err != nil {
		t.Fatal(err)
	}
	var root struct {
		Runs struct {
			Steps []struct {
				ID, If, Run string
				Env         map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(files["action.yml"], &root); err != nil {
		t.Fatal(err)
	}
	pin, err := CommittedImage(filepath.Join("secret-sweep", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, st := range root.Runs.Steps {
		if st.ID != "secret-sweep" {
			continue
		}
		found = true
		if st.If != "inputs.profile == 'secret-sweep'" {
			t.Errorf("if: %q", st.If)
		}
		if st.Env["HUB_IMAGE"] != pin {
			t.Errorf("HUB_IMAGE = %q, the gate pins %q", st.Env["HUB_IMAGE"], pin)
		}
		if st.Env["INPUT_SCOPE"] != "host" || st.Env["INPUT_SECRETS"] != "${{ inputs.secrets }}" {
			t.Errorf("env: %v", st.Env)
		}
		for _, want := range []string{"docker run --rm --pid=host --cap-add SYS_PTRACE -v /:/host:ro", "-e INPUT_SECRETS \\", "-e INPUT_SCOPE \\", "-e GITHUB_OUTPUT", "\"${HUB_IMAGE#docker://}\""} {
			if !strings.Contains(st.Run, want) {
				t.Errorf("run: lacks %q:\n%s", want, st.Run)
			}
		}
		if strings.Contains(st.Run, "${{") {
			t.Errorf("run: holds an expression, which the runner would paste into the script:\n%s", st.Run)
		}
		for name := range st.Env {
			if strings.HasPrefix(name, "INPUT_") && !strings.Contains(st.Run, "-e "+name+" ") {
				t.Errorf("%s is set but not passed to the container", name)
			}
		}
	}
	if !found {
		t.Fatal("the root action has no secret-sweep step")
	}
}

// TestReleaseProfileSignsEvidenceLast: the release reusable workflow checks
// SBOM parity and the DR drill's freshness after signing and verifying,
// and only then signs one evidence statement, over the folder where every
// earlier gate wrote its record.
func TestReleaseProfileSignsEvidenceLast(t *testing.T) {
	files, err := RenderHub("..")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				ID, If string
				With   map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(files[".github/workflows/hub-release.yml"], &wf); err != nil {
		t.Fatal(err)
	}
	var order []string
	records := map[string]string{}
	for _, st := range wf.Jobs["release"].Steps {
		if st.ID == "" {
			continue
		}
		order = append(order, st.ID)
		if st.ID == "evidence" {
			if st.If != "" {
				t.Errorf("the evidence step runs only if %q", st.If)
			}
			records["evidence"] = st.With["records"]
			continue
		}
		records[st.ID] = st.With["evidence-dir"]
	}
	want := []string{"sign", "verify-signature", "verify-provenance", "sbom-gate", "dr-drill", "evidence"}
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Fatalf("release steps %v, want %v", order, want)
	}
	for id, dir := range records {
		if dir != records["evidence"] {
			t.Errorf("%s writes its record to %q, evidence reads %q", id, dir, records["evidence"])
		}
	}
}
