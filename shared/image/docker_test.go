package image

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireDocker skips the test when no Docker engine answers, or fails it
// when HUB_REQUIRE_DOCKER=1.
func requireDocker(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput()
	if err == nil {
		return
	}
	msg := "docker info: " + err.Error() + ": " + strings.TrimSpace(string(out))
	if os.Getenv("HUB_REQUIRE_DOCKER") == "1" {
		t.Fatal(msg + " (HUB_REQUIRE_DOCKER=1)")
	}
	t.Skip(msg)
}

func docker(t *testing.T, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func randomTag(t *testing.T, repo string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return repo + ":test-" + hex.EncodeToString(b[:])
}

func removeImageAtCleanup(t *testing.T, tag string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if out, err := exec.CommandContext(ctx, "docker", "rmi", "--force", tag).CombinedOutput(); err != nil {
			t.Logf("docker rmi %s: %v\n%s", tag, err, out)
		}
	})
}

// runHello runs a hellogate image like the GitHub runner does and checks
// what it leaves behind.
func runHello(t *testing.T, image, version string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ws := t.TempDir()
	res, err := RunLikeRunner(ctx, RunnerSpec{
		Image:     image,
		Workspace: ws,
		Inputs:    map[string]string{"some-input": "value"},
		Args:      []string{"--flag", "two words"},
		Network:   "none",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 0 {
		t.Fatalf("exit code %d\ncommand: %q\nstdout: %s\nstderr: %s", res.ExitCode, res.Command, res.Stdout, res.Stderr)
	}
	if got := string(res.Output); got != "greeting=value\n" {
		t.Errorf("GITHUB_OUTPUT %q, want %q", got, "greeting=value\n")
	}
	if got, want := string(res.Summary), "hello from hellogate "+version+"\n"; got != want {
		t.Errorf("GITHUB_STEP_SUMMARY %q, want %q", got, want)
	}
	if want := `hellogate ` + version + ` args=["--flag" "two words"]`; !strings.Contains(res.Stdout, want) {
		t.Errorf("stdout %q, want it to contain %q", res.Stdout, want)
	}
	report, err := os.ReadFile(filepath.Join(ws, "hellogate.txt"))
	if err != nil {
		t.Fatal(err)
	}
	wantReport := "version=" + version + "\nargs=--flag two words\nwd=/github/workspace\ntmp=yes\n"
	if string(report) != wantReport {
		t.Errorf("hellogate.txt:\n%s\nwant\n%s", report, wantReport)
	}

	// A failing gate's exit code comes back as ExitCode, not as an error.
	res, err = RunLikeRunner(ctx, RunnerSpec{
		Image:     image,
		Workspace: ws,
		Inputs:    map[string]string{"exit-code": "3", "some-input": "x"},
		Network:   "none",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 || string(res.Output) != "greeting=x\n" {
		t.Errorf("exit code %d output %q, want 3 and greeting=x", res.ExitCode, res.Output)
	}
}

// TestContainerLikeRunner loads the reproducible image with docker load and
// runs it the way the GitHub runner runs a container action.
func TestContainerLikeRunner(t *testing.T) {
	requireDocker(t)
	platform := HostPlatform()
	const version = "v0.0.1-docker"
	o, err := NewOptions("hellogate",
		WithVersion(version),
		WithPlatforms(platform),
		WithBinary(platform, sharedHello(t, platform, version)),
	)
	if err != nil {
		t.Fatal(err)
	}
	idx := build(t, o)
	tag := randomTag(t, "hub.test/hubgates/hub/hellogate")
	tarPath := filepath.Join(t.TempDir(), "hellogate.tar")
	if err := WriteDockerTarball(tarPath, idx, platform, tag); err != nil {
		t.Fatal(err)
	}
	removeImageAtCleanup(t, tag)
	out := docker(t, nil, "load", "--input", tarPath)
	if !strings.Contains(out, tag) {
		t.Fatalf("docker load did not report %s:\n%s", tag, out)
	}
	inspect := docker(t, nil, "image", "inspect", "--format",
		`{{.Os}}/{{.Architecture}} user={{.Config.User}} entrypoint={{json .Config.Entrypoint}} title={{index .Config.Labels "org.opencontainers.image.title"}}`, tag)
	if want := platform + " user= entrypoint=[\"/gate\"] title=hellogate"; strings.TrimSpace(inspect) != want {
		t.Errorf("docker image inspect: %q, want %q", strings.TrimSpace(inspect), want)
	}
	runHello(t, tag, version)
}

// TestDockerfile builds the repository's Dockerfile with the classic
// builder (no network, no base image) and runs the result like the runner.
func TestDockerfile(t *testing.T) {
	requireDocker(t)
	const version = "v0.0.1-dockerfile"
	dockerfile, err := os.ReadFile(filepath.Join(repoRoot(t), "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	platform := HostPlatform()
	arch := strings.TrimPrefix(platform, "linux/")
	ctxDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), dockerfile, 0o644); err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(sharedHello(t, platform, version))
	if err != nil {
		t.Fatal(err)
	}
	dist := filepath.Join(ctxDir, "dist", "linux-"+arch)
	if err := os.MkdirAll(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dist, "hellogate"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	tag := randomTag(t, "hub.test/dockerfile/hellogate")
	removeImageAtCleanup(t, tag)
	docker(t, []string{"DOCKER_BUILDKIT=0"}, "build", "--quiet",
		"--build-arg", "GATE=hellogate",
		"--build-arg", "TARGETARCH="+arch,
		"--tag", tag, ctxDir)
	inspect := docker(t, nil, "image", "inspect", "--format",
		`user={{.Config.User}} entrypoint={{json .Config.Entrypoint}} layers={{len .RootFS.Layers}}`, tag)
	t.Logf("Dockerfile image: %s", strings.TrimSpace(inspect))
	if !strings.HasPrefix(inspect, `user= entrypoint=["/gate"]`) {
		t.Errorf("docker image inspect: %q", inspect)
	}
	runHello(t, tag, version)
}
