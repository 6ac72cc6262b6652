package sarifgate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/gate"
)

func TestInputErrorKeepsCrashesAndIOUndecided(t *testing.T) {
	crash := &FileError{Path: "a.sarif", Err: fmt.Errorf("%w: boom", ErrCrash)}
	io := &FileError{Path: "b.sarif", Err: &fs.PathError{Op: "read", Path: "/w/b.sarif", Err: errors.New("input/output error")}}
	for _, err := range []error{crash, io} {
		var ie *gate.InputError
		if got := inputError(inputSARIF, err); errors.As(got, &ie) {
			t.Errorf("%v became bad input (exit 2); it must leave the gate undecided (exit 3)", err)
		}
	}
	bad := errors.Join(&FileError{Path: "c.sarif", Err: fmt.Errorf("%w: x", ErrNotJSON)}, &FileError{Path: "d", Err: errors.New("does not exist")})
	got := inputError(inputBaseline, bad)
	var ie *gate.InputError
	if !errors.As(got, &ie) || ie.Input != inputBaseline || ie.Value != "c.sarif" || !strings.Contains(got.Error(), `input "baseline": does not exist (got "d")`) {
		t.Errorf("inputError = %v", got)
	}
}

// execute runs the gate in-process in a workspace holding files.
func execute(t *testing.T, files map[string]string, args ...string) (gate.ExitCode, string, string) {
	t.Helper()
	ws := tree(t, files)
	var stdout, stderr bytes.Buffer
	code := gate.Execute(context.Background(), Gate, gate.Process{
		Args: args, Getenv: func(k string) string {
			if k == "GITHUB_REPOSITORY" {
				return "acme/proj"
			}
			return ""
		},
		Stdout: &stdout, Stderr: &stderr, Cwd: ws, Now: func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) },
	})
	return code, stdout.String(), stderr.String()
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "tools", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGateBudgets(t *testing.T) {
	files := map[string]string{"r/bandit.sarif": fixture(t, "bandit.sarif"), "r/gosec.sarif": fixture(t, "gosec.sarif")}
	// Bandit: 1 high, 2 low; gosec: 1 medium, 2 low.
	tests := []struct {
		args []string
		code gate.ExitCode
	}{
		{[]string{"--sarif=r"}, gate.Denied},
		{[]string{"--sarif=r", "--max-high=1"}, gate.Passed},
		{[]string{"--sarif=r", "--fail-on=critical"}, gate.Passed},
		{[]string{"--sarif=r", "--fail-on=critical", "--max-medium=0"}, gate.Denied},
		{[]string{"--sarif=r", "--fail-on=low", "--max-low=4", "--max-medium=1", "--max-high=1"}, gate.Passed},
		{[]string{"--sarif=r", "--fail-on=low", "--max-low=3", "--max-medium=1", "--max-high=1"}, gate.Denied},
		{[]string{"--sarif=r", "--max-high=-1", "--max-critical=-1", "--fail-on=critical"}, gate.Passed},
		{[]string{"--sarif=r/gosec.sarif", "--fail-on=medium"}, gate.Denied},
		{[]string{"--sarif=r/gosec.sarif", "--fail-on=medium", "--default-severity=low"}, gate.Denied},
	}
	for _, tt := range tests {
		code, stdout, stderr := execute(t, files, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", tt.args, code, tt.code, stdout, stderr)
		}
	}
}

func TestGateOutputFileIsValidAndComplete(t *testing.T) {
	files := map[string]string{}
	for _, f := range toolFixtures(t) {
		files["reports/"+filepath.Base(f)] = fixture(t, filepath.Base(f))
	}
	ws := tree(t, files)
	var stdout bytes.Buffer
	code := gate.Execute(context.Background(), Gate, gate.Process{
		Args:   []string{"--sarif=reports", "--sarif-file=out/merged.sarif", "--fail-on=critical", "--max-critical=-1"},
		Getenv: func(string) string { return "" }, Stdout: &stdout, Stderr: &stdout, Cwd: ws, Now: time.Now,
	})
	if code != gate.Passed {
		t.Fatalf("exit %d\n%s", code, stdout.String())
	}
	data, err := os.ReadFile(filepath.Join(ws, "out", "merged.sarif"))
	if err != nil {
		t.Fatal(err)
	}
	log := check(t, data)
	if len(log.Runs) != 11 || log.Runs[10].Tool.Driver.Name != "hub/sarif-gate" || log.Runs[10].AutomationDetails.ID != "sarif-gate/hub-sarif-gate/" {
		t.Errorf("%d runs; the last is %q", len(log.Runs), log.Runs[len(log.Runs)-1].Tool.Driver.Name)
	}
	if !strings.Contains(stdout.String(), "sarif-file=out/merged.sarif") || !strings.Contains(stdout.String(), "results=24") {
		t.Errorf("outputs:\n%s", stdout.String())
	}
}
