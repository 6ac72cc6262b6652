package gate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The runner sets INPUT_<NAME> to the default of every input a step's
// "with:" leaves out; that must behave exactly as leaving it out.
func TestRunnerDefaultsMeanOmitted(t *testing.T) {
	spec := &testGate().Spec
	env := RunnerInputs(spec)
	for _, name := range []string{"INPUT_MODE", "INPUT_BEHAVE", "INPUT_MAX-ANNOTATIONS", "INPUT_MAX-LOG-FINDINGS", "INPUT_SARIF-FILE", "INPUT_CATEGORY"} {
		if _, ok := env[name]; !ok {
			t.Errorf("RunnerInputs lacks %s: %v", name, env)
		}
	}
	if _, ok := env["INPUT_NEEDED"]; ok {
		t.Error("RunnerInputs sets a required input that has no default")
	}
	for _, withDefaults := range []bool{false, true} {
		h := newHarness(t, true)
		if withDefaults {
			for k, v := range env {
				h.env[k] = v
			}
		}
		h.env["INPUT_BEHAVE"] = "waived"
		if code := h.run(context.Background()); code != Denied {
			t.Fatalf("defaults set %t: exit %d\n%s", withDefaults, code, h.stderr.String())
		}
		if !strings.Contains(h.stdout.String(), "file given false") {
			t.Errorf("defaults set %t: an input at its default counts as given:\n%s", withDefaults, h.stdout.String())
		}
	}
	// A value other than the default is given.
	h := newHarness(t, true)
	h.env["INPUT_BEHAVE"] = "waived"
	h.env["INPUT_FILE"] = "x.txt"
	h.run(context.Background())
	if !strings.Contains(h.stdout.String(), "file given true") {
		t.Errorf("a value other than the default does not count as given:\n%s", h.stdout.String())
	}
}

func TestUndeclaredInputIsNotCalledSecret(t *testing.T) {
	h := newHarness(t, true)
	h.env["INPUT_FAIL-ONN"] = "high"
	if code := h.run(context.Background()); code != BadInput {
		t.Fatalf("exit %d, want 2", code)
	}
	want := `input "fail-onn": not an input of test-gate (set as INPUT_FAIL-ONN) (its value is not shown: an undeclared input may hold a secret)`
	if !strings.Contains(h.stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, h.stderr.String())
	}
	if strings.Contains(h.stderr.String(), "got a secret value") {
		t.Errorf("an undeclared input's value is called a secret:\n%s", h.stderr.String())
	}
}

// Inside a container action RUNNER_TEMP names a host folder that is not
// mounted: a path under it is bad input with a message that says so,
// rather than a failed write (exit 3) after the gate ran.
func TestRunnerTempNotMounted(t *testing.T) {
	h := newHarness(t, true)
	h.env["RUNNER_TEMP"] = "/home/runner/work/_temp"
	h.env["INPUT_EVIDENCE-DIR"] = "/home/runner/work/_temp/evidence"
	if code := h.run(context.Background()); code != BadInput {
		t.Fatalf("exit %d, want 2\n%s", code, h.stderr.String())
	}
	want := `input "evidence-dir": resolves outside the workspace; RUNNER_TEMP is not mounted inside a container action, so name a path in the workspace`
	if !strings.Contains(h.stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, h.stderr.String())
	}
	// The same path where RUNNER_TEMP exists is fine.
	h = newHarness(t, true)
	h.env["INPUT_EVIDENCE-DIR"] = filepath.Join(h.env["RUNNER_TEMP"], "evidence")
	if code := h.run(context.Background()); code != Passed {
		t.Fatalf("exit %d with RUNNER_TEMP present\n%s", code, h.stderr.String())
	}
}

// A link planted where the runtime writes (the evidence folder, the SARIF
// file's folder, the telemetry file) is refused before anything is
// written, and nothing outside the workspace changes.
func TestRuntimeWritesRefuseLinksOut(t *testing.T) {
	for _, tc := range []struct{ input, link, value string }{
		{"INPUT_EVIDENCE-DIR", "ev", "ev"},
		{"INPUT_SARIF-FILE", "reports", "reports/x.sarif"},
		{"INPUT_TELEMETRY-FILE", "t.ndjson", "t.ndjson"},
	} {
		t.Run(tc.input, func(t *testing.T) {
			h := newHarness(t, true)
			outside := t.TempDir()
			target := outside
			if tc.link == "t.ndjson" {
				target = filepath.Join(outside, "t.ndjson")
			}
			must(t, os.Symlink(target, filepath.Join(h.ws, tc.link)))
			h.env[tc.input] = tc.value
			h.env["INPUT_BEHAVE"] = "deny"
			if code := h.run(context.Background()); code != BadInput {
				t.Fatalf("exit %d, want 2\n%s", code, h.stderr.String())
			}
			if e := h.stderr.String(); !strings.Contains(e, "resolves outside the workspace") && !strings.Contains(e, "is a dangling symlink") {
				t.Errorf("stderr:\n%s", h.stderr.String())
			}
			if entries, _ := os.ReadDir(outside); len(entries) != 0 {
				t.Errorf("written outside the workspace: %v", entries)
			}
		})
	}
}

func TestLogIsCapped(t *testing.T) {
	h := newHarness(t, true)
	h.env["INPUT_BEHAVE"] = "many"
	h.env["INPUT_COUNT"] = "250"
	h.env["INPUT_MAX-LOG-FINDINGS"] = "20"
	if code := h.run(context.Background()); code != Denied {
		t.Fatalf("exit %d", code)
	}
	out := h.stdout.String()
	if n := strings.Count(out, "[bad-thing]"); n != 20 {
		t.Errorf("%d findings printed, want 20", n)
	}
	if !strings.Contains(out, "…and 230 more findings not shown here; the step summary, the SARIF log and the evidence list every one") {
		t.Errorf("no count of the rest:\n%s", out)
	}
	// The default is 100.
	h = newHarness(t, true)
	h.env["INPUT_BEHAVE"] = "many"
	h.env["INPUT_COUNT"] = "250"
	h.run(context.Background())
	if n := strings.Count(h.stdout.String(), "[bad-thing]"); n != 100 {
		t.Errorf("%d findings printed by default, want 100", n)
	}
}
