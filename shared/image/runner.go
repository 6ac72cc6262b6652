package image

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The paths inside the container at which the GitHub Actions runner mounts
// its directories for a container action.
const (
	RunnerWorkspace    = "/github/workspace"
	RunnerFileCommands = "/github/file_commands"
	RunnerHome         = "/github/home"
	RunnerWorkflow     = "/github/workflow"
)

// RunnerSpec describes one run of a container action image.
type RunnerSpec struct {
	// Image is the image to run, normally one the local Docker engine
	// already has (docker load); "docker run" pulls a missing one.
	Image string
	// Workspace is the host directory mounted at /github/workspace, the
	// container's working directory. Required.
	Workspace string
	// Inputs are the action inputs, passed as INPUT_<NAME> with the name
	// upper-cased and spaces replaced by '_', as the runner does
	// ("some-input" becomes INPUT_SOME-INPUT).
	Inputs map[string]string
	// ActionYML, when set, is the action's metadata file: as the runner
	// does, every input it declares with a default is passed at that
	// default unless Inputs gives it.
	ActionYML []byte
	// Env is added to the container environment last, so it can override the
	// variables RunLikeRunner sets (HOME, GITHUB_*, CI, INPUT_*).
	Env map[string]string
	// Args are the container arguments (an action's runs.args).
	Args []string
	// Event, when not nil, is written to /github/workflow/event.json and
	// named by GITHUB_EVENT_PATH.
	Event []byte
	// Network is passed as --network when not empty (e.g. "none").
	Network string
	// Docker is the docker command. Empty means "docker" from PATH.
	Docker string
	// PID is passed as --pid when not empty ("host" shares the host's
	// process namespace, as a gate that sweeps the runner's processes
	// is run).
	PID string
	// CapAdd are capabilities passed as --cap-add (SYS_PTRACE, to read
	// other users' /proc/<pid>/environ).
	CapAdd []string
	// Mounts are extra bind mounts, passed as -v in order
	// ("/:/host:ro").
	Mounts []string
}

// RunnerResult is what a run of a container action left behind.
type RunnerResult struct {
	// ExitCode is the exit code of "docker run": the container's, or 125-127
	// when Docker could not start it.
	ExitCode int
	// Output is the content of the file named by GITHUB_OUTPUT.
	Output []byte
	// Summary is the content of the file named by GITHUB_STEP_SUMMARY.
	Summary []byte
	// Stdout and Stderr are the container's output streams (and Docker's
	// messages, on Stderr).
	Stdout, Stderr string
	// Command is the docker command line that was run.
	Command []string
}

// InputEnvName returns the environment variable the runner sets for an
// action input: "INPUT_" + the name upper-cased with spaces replaced by '_'.
func InputEnvName(input string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(input, " ", "_"))
}

// RunLikeRunner runs spec.Image the way the GitHub Actions runner runs a
// container action:
//
//	docker run --rm --workdir /github/workspace
//	  -v <workspace>:/github/workspace -v <tmp>/file_commands:/github/file_commands
//	  -v <tmp>/home:/github/home [-v <tmp>/workflow:/github/workflow]
//	  -e HOME=/github/home -e GITHUB_WORKSPACE=/github/workspace
//	  -e GITHUB_OUTPUT=/github/file_commands/output
//	  -e GITHUB_STEP_SUMMARY=/github/file_commands/summary
//	  -e GITHUB_ACTIONS=true -e CI=true -e INPUT_<NAME>=<value> ...
//	  <image> <args>
//
// with the environment sorted by name. The file-command and home directories
// are temporary and removed afterwards; the output and summary files exist
// (empty) before the container starts, as with the runner. Environment
// values appear on the docker command line, so do not pass real secrets.
//
// A non-zero exit code is reported in RunnerResult.ExitCode, not as an
// error; the error is for failures to prepare, start or read back the run.
// When ctx ends, the container is removed.
func RunLikeRunner(ctx context.Context, spec RunnerSpec) (RunnerResult, error) {
	if spec.Image == "" {
		return RunnerResult{}, errors.New("run like runner: empty image")
	}
	if spec.Workspace == "" {
		return RunnerResult{}, fmt.Errorf("run like runner %s: empty workspace", spec.Image)
	}
	ws, err := filepath.Abs(spec.Workspace)
	if err != nil {
		return RunnerResult{}, fmt.Errorf("run like runner %s: workspace %s: %w", spec.Image, spec.Workspace, err)
	}
	if fi, err := os.Stat(ws); err != nil {
		return RunnerResult{}, fmt.Errorf("run like runner %s: workspace: %w", spec.Image, err)
	} else if !fi.IsDir() {
		return RunnerResult{}, fmt.Errorf("run like runner %s: workspace %s is not a directory", spec.Image, ws)
	}
	docker := spec.Docker
	if docker == "" {
		docker = "docker"
	}

	tmp, err := os.MkdirTemp("", "hub-runner-")
	if err != nil {
		return RunnerResult{}, fmt.Errorf("run like runner %s: %w", spec.Image, err)
	}
	defer os.RemoveAll(tmp)
	fc := filepath.Join(tmp, "file_commands")
	home := filepath.Join(tmp, "home")
	workflow := filepath.Join(tmp, "workflow")
	for _, d := range []string{fc, home, workflow} {
		if err := os.Mkdir(d, 0o777); err != nil {
			return RunnerResult{}, fmt.Errorf("run like runner %s: %w", spec.Image, err)
		}
		// Writable for a container user other than the host's.
		if err := os.Chmod(d, 0o777); err != nil {
			return RunnerResult{}, fmt.Errorf("run like runner %s: %w", spec.Image, err)
		}
	}
	outputFile := filepath.Join(fc, "output")
	summaryFile := filepath.Join(fc, "summary")
	for _, f := range []string{outputFile, summaryFile} {
		if err := os.WriteFile(f, nil, 0o666); err != nil {
			return RunnerResult{}, fmt.Errorf("run like runner %s: %w", spec.Image, err)
		}
		if err := os.Chmod(f, 0o666); err != nil {
			return RunnerResult{}, fmt.Errorf("run like runner %s: %w", spec.Image, err)
		}
	}

	env := map[string]string{
		"HOME":                RunnerHome,
		"GITHUB_WORKSPACE":    RunnerWorkspace,
		"GITHUB_OUTPUT":       RunnerFileCommands + "/output",
		"GITHUB_STEP_SUMMARY": RunnerFileCommands + "/summary",
		"GITHUB_ACTIONS":      "true",
		"CI":                  "true",
	}
	if spec.Event != nil {
		if err := os.WriteFile(filepath.Join(workflow, "event.json"), spec.Event, 0o644); err != nil {
			return RunnerResult{}, fmt.Errorf("run like runner %s: %w", spec.Image, err)
		}
		env["GITHUB_EVENT_PATH"] = RunnerWorkflow + "/event.json"
	}
	if spec.ActionYML != nil {
		defaults, err := ActionInputDefaults(spec.ActionYML)
		if err != nil {
			return RunnerResult{}, fmt.Errorf("run like runner %s: %w", spec.Image, err)
		}
		for k, v := range defaults {
			env[InputEnvName(k)] = v
		}
	}
	for k, v := range spec.Inputs {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return RunnerResult{}, fmt.Errorf("run like runner %s: bad input name %q", spec.Image, k)
		}
		env[InputEnvName(k)] = v
	}
	for k, v := range spec.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			return RunnerResult{}, fmt.Errorf("run like runner %s: bad environment variable name %q", spec.Image, k)
		}
		env[k] = v
	}

	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return RunnerResult{}, fmt.Errorf("run like runner %s: %w", spec.Image, err)
	}
	container := "hub-runner-" + hex.EncodeToString(b[:])
	args := []string{
		"run", "--rm", "--name", container,
		"--workdir", RunnerWorkspace,
		"-v", ws + ":" + RunnerWorkspace,
		"-v", fc + ":" + RunnerFileCommands,
		"-v", home + ":" + RunnerHome,
		"-v", workflow + ":" + RunnerWorkflow,
	}
	if spec.Network != "" {
		args = append(args, "--network", spec.Network)
	}
	if spec.PID != "" {
		args = append(args, "--pid", spec.PID)
	}
	for _, c := range spec.CapAdd {
		args = append(args, "--cap-add", c)
	}
	for _, m := range spec.Mounts {
		args = append(args, "-v", m)
	}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		args = append(args, "-e", k+"="+env[k])
	}
	args = append(args, spec.Image)
	args = append(args, spec.Args...)

	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, docker, args...)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	res := RunnerResult{Command: append([]string{docker}, args...)}
	runErr := cmd.Run()
	res.Stdout, res.Stderr = stdout.String(), stderr.String()
	if ctx.Err() != nil {
		// Killing the client does not stop the container.
		rmCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = exec.CommandContext(rmCtx, docker, "rm", "-f", container).Run()
		return res, fmt.Errorf("run like runner %s: %w", spec.Image, ctx.Err())
	}
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
	case errors.As(runErr, &exitErr):
		res.ExitCode = exitErr.ExitCode()
	default:
		return res, fmt.Errorf("run like runner %s: %w", spec.Image, runErr)
	}
	if res.Output, err = os.ReadFile(outputFile); err != nil {
		return res, fmt.Errorf("run like runner %s: GITHUB_OUTPUT: %w", spec.Image, err)
	}
	if res.Summary, err = os.ReadFile(summaryFile); err != nil {
		return res, fmt.Errorf("run like runner %s: GITHUB_STEP_SUMMARY: %w", spec.Image, err)
	}
	return res, nil
}
