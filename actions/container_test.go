package actions

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/image"
	"github.com/hubgates/hub/shared/runnersim"
)

// requireDocker skips without a Docker engine, unless HUB_REQUIRE_DOCKER=1
// (set by .ci/run), where a missing engine fails the test instead.
func requireDocker(t *testing.T) {
	t.Helper()
	if testing.Short() && os.Getenv("HUB_REQUIRE_DOCKER") != "1" {
		t.Skip("container test skipped in -short mode")
	}
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		msg := "no Docker engine: " + strings.TrimSpace(string(out))
		if os.Getenv("HUB_REQUIRE_DOCKER") == "1" {
			t.Fatal(msg + " (HUB_REQUIRE_DOCKER=1)")
		}
		t.Skip(msg)
	}
}

// gateImages holds the image tag of each gate built by this test binary,
// so several tests of one gate build its image once.
var gateImages sync.Map // gate name -> *builtImage

type builtImage struct {
	once sync.Once
	tag  string
	err  error
}

// gateImage builds the gate's image the way the release does (for this
// machine's platform), loads it into Docker and returns its tag; it is
// removed when the test binary's tests end.
func gateImage(t *testing.T, gate string) string {
	t.Helper()
	v, _ := gateImages.LoadOrStore(gate, &builtImage{})
	b := v.(*builtImage)
	b.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		b.tag, b.err = buildAndLoad(ctx, gate, os.TempDir())
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.tag
}

func buildAndLoad(ctx context.Context, gate, tmp string) (string, error) {
	dir, err := os.MkdirTemp(tmp, "hub-container-test-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	platform := image.HostPlatform()
	bin, err := image.BuildBinary(ctx, image.BinaryOptions{Gate: gate, Dir: "..", Platform: platform, Version: "container-test", OutDir: dir})
	if err != nil {
		return "", err
	}
	extras, err := image.BuildExtras(ctx, gate, gate, image.BinaryOptions{Platform: platform, Version: "container-test", OutDir: dir})
	if err != nil {
		return "", err
	}
	options := []image.Option{image.WithVersion("container-test"), image.WithPlatforms(platform), image.WithBinary(platform, bin)}
	for path, b := range extras {
		options = append(options, image.WithExtra(path, map[string]string{platform: b}))
	}
	opts, err := image.NewOptions(gate, options...)
	if err != nil {
		return "", err
	}
	idx, err := image.Build(ctx, opts)
	if err != nil {
		return "", err
	}
	tag := "hub.test/" + gate + ":container-test"
	tarball := filepath.Join(dir, gate+".tar")
	if err := image.WriteDockerTarball(tarball, idx, platform, tag); err != nil {
		return "", err
	}
	if out, err := exec.CommandContext(ctx, "docker", "load", "--input", tarball).CombinedOutput(); err != nil {
		return "", &loadError{out: string(out), err: err}
	}
	loadedTags.Store(tag, true)
	return tag, nil
}

type loadError struct {
	out string
	err error
}

func (e *loadError) Error() string { return "docker load: " + e.err.Error() + "\n" + e.out }

// loadedTags are removed from Docker after the package's tests (TestMain).
var loadedTags sync.Map

func TestMain(m *testing.M) {
	code := m.Run()
	loadedTags.Range(func(k, _ any) bool {
		_ = exec.Command("docker", "rmi", "--force", k.(string)).Run()
		return true
	})
	os.Exit(code)
}

// gateRun is one run of a gate's image as the runner runs it.
type gateRun struct {
	image.RunnerResult
	// Outputs is GITHUB_OUTPUT as the runner reads it.
	Outputs map[string]string
}

// runGateImage runs the gate's image exactly as the GitHub Actions runner
// runs a container action: the workspace mounted at /github/workspace as
// working directory, file commands under /github/file_commands, every input
// declared in actions/<gate>/action.yml passed at its default unless inputs
// gives it, the network as given (empty: none). It fails the test when the
// runner could not read the outputs, or when the log holds a workflow
// command that is not the gate's own (masks, its fence, annotations).
func runGateImage(t *testing.T, gate, ws string, inputs, env map[string]string, network string) gateRun {
	t.Helper()
	tag := gateImage(t, gate)
	actionYML, err := os.ReadFile(filepath.Join(gate, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if network == "" {
		network = "none"
	}
	baseEnv := map[string]string{"GITHUB_REPOSITORY": "hubgates/fixture", "GITHUB_SHA": strings.Repeat("b", 40), "GITHUB_RUN_ID": "77"}
	for k, v := range env {
		baseEnv[k] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := image.RunLikeRunner(ctx, image.RunnerSpec{
		Image: tag, Workspace: ws, Network: network, ActionYML: actionYML, Inputs: inputs, Env: baseEnv,
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := runnersim.OutputMap(string(res.Output))
	if err != nil {
		t.Fatalf("the runner would fail the step reading GITHUB_OUTPUT: %v\n%s", err, res.Output)
	}
	checkOwnCommands(t, res.Stdout, res.Stderr)
	return gateRun{RunnerResult: res, Outputs: outs}
}

var fenceToken = regexp.MustCompile(`^hub-[0-9a-f]{32}$`)

// checkOwnCommands fails the test when the runner would act on a command
// in the log that is not one a gate issues itself.
func checkOwnCommands(t *testing.T, stdout, stderr string) {
	t.Helper()
	token := ""
	for _, c := range runnersim.Commands(stdout) {
		switch {
		case c.Name == "add-mask", c.Name == "error", c.Name == "warning", c.Name == "notice":
		case c.Name == "stop-commands" && fenceToken.MatchString(c.Data):
			token = c.Data
		case token != "" && c.Name == token:
			token = ""
		default:
			t.Errorf("the runner would run a command that is not the gate's: %q (line %q)", c.Name, c.Line)
		}
	}
	for _, c := range runnersim.Commands(stderr) {
		t.Errorf("standard error holds a workflow command: %q (line %q)", c.Name, c.Line)
	}
}

// writeTree writes files (slash-separated names relative to dir).
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// wantOutputs fails the test for each output that does not have its value.
func (r gateRun) wantOutputs(t *testing.T, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got, ok := r.Outputs[k]; !ok || got != v {
			t.Errorf("output %s = %q (set %t), want %q\nstdout:\n%s\nstderr:\n%s", k, got, ok, v, r.Stdout, r.Stderr)
		}
	}
}

// wantSummaryHead fails the test unless the summary starts with head.
func (r gateRun) wantSummaryHead(t *testing.T, head string) {
	t.Helper()
	if !strings.HasPrefix(string(r.Summary), head) {
		t.Errorf("summary does not start with %q:\n%s", head, r.Summary)
	}
}

// wantExit fails the test now unless the run exited with code.
func (r gateRun) wantExit(t *testing.T, code int) {
	t.Helper()
	if r.ExitCode != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.ExitCode, code, r.Stdout, r.Stderr)
	}
}
