package sweep

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"testing"
)

// The real proc file system: a process started with a token in its
// environment and another on its command line is found, named by pid and
// variable, and the runner's own token is passed over by name.
func TestSweepProcessesReal(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("proc file system: linux only")
	}
	ctx := context.Background()
	envTok, argTok := mint(t, "ghp_"), mint(t, "gho_")
	cmd := exec.Command("sh", "-c", "sleep 60; :", argTok)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GH_TOKEN=" + envTok, "ACTIONS_RUNTIME_TOKEN=" + mint(t, "ghs_")}
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start a process: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	d, err := NewDetector(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{}
	if err := sweepProcesses(ctx, d, rep, "/proc"); err != nil {
		t.Fatal(err)
	}
	var env, arg bool
	for _, f := range rep.Found {
		if f.Location.PID != cmd.Process.Pid {
			continue
		}
		switch {
		case f.Location.Kind == KindEnviron && f.Location.Variable == "GH_TOKEN" && f.Kind == "github-pat" && f.Verified:
			env = true
			if f.Location.Path != "process/sh/environ/GH_TOKEN" {
				t.Errorf("path = %q", f.Location.Path)
			}
		case f.Location.Kind == KindCmdline && f.Kind == "github-oauth":
			arg = true
		case f.Location.Variable == "ACTIONS_RUNTIME_TOKEN":
			t.Errorf("the runner's own token was reported: %+v", f)
		}
	}
	if !env || !arg {
		t.Errorf("planted environment token found: %v; command-line token found: %v", env, arg)
	}
	if rep.RunnerVariables == 0 {
		t.Error("the runner variable was not counted as passed over")
	}
}
