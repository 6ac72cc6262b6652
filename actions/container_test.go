package actions

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/image"
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

// TestWorkflowAuditContainer builds the workflow-audit image the release
// builds (for this machine's platform), loads it into Docker and runs it
// exactly as the runner runs a container action: the workspace mounted at
// /github/workspace as working directory, file commands under
// /github/file_commands, inputs as INPUT_* variables, no network.
func TestWorkflowAuditContainer(t *testing.T) {
	requireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	platform := image.HostPlatform()
	bin, err := image.BuildBinary(ctx, image.BinaryOptions{Gate: "workflow-audit", Dir: "..", Platform: platform, Version: "container-test", OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	opts, err := image.NewOptions("workflow-audit", image.WithVersion("container-test"), image.WithPlatforms(platform), image.WithBinary(platform, bin))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := image.Build(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	tag := "hub.test/workflow-audit:container-test-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	tarball := filepath.Join(t.TempDir(), "workflow-audit.tar")
	if err := image.WriteDockerTarball(tarball, idx, platform, tag); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.CommandContext(ctx, "docker", "load", "--input", tarball).CombinedOutput(); err != nil {
		t.Fatalf("docker load: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "--force", tag).Run() })

	// The same fixture twice: pinned (passes), then with one pin undone
	// (denied, with the finding's position in the SARIF).
	ws := t.TempDir()
	wf := filepath.Join(ws, ".github", "workflows", "ci.yml")
	if err := os.MkdirAll(filepath.Dir(wf), 0o755); err != nil {
		t.Fatal(err)
	}
	const pinned = "on: [push]\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"
	for _, tc := range []struct {
		name, workflow string
		exit           int
		outputs        []string
	}{
		{"pinned", pinned, 0, []string{"verdict=passed", "findings=0", "files=1", "sarif-file=workflow-audit.sarif"}},
		{"unpinned", strings.Replace(pinned, "@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2", "@v4", 1), 1, []string{"verdict=denied", "findings=1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(wf, []byte(tc.workflow), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := image.RunLikeRunner(ctx, image.RunnerSpec{
				Image: tag, Workspace: ws, Network: "none",
				Inputs: map[string]string{"mode": "enforce", "evidence-dir": "evidence-" + tc.name},
				Env:    map[string]string{"GITHUB_REPOSITORY": "hubgates/fixture", "GITHUB_SHA": strings.Repeat("b", 40)},
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.ExitCode != tc.exit {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, tc.exit, res.Stdout, res.Stderr)
			}
			outputs := outputLines(string(res.Output))
			for _, want := range tc.outputs {
				if !outputs[want] {
					t.Errorf("GITHUB_OUTPUT lacks %s:\n%s", want, res.Output)
				}
			}
			if !strings.HasPrefix(string(res.Summary), "## ") {
				t.Errorf("summary does not start with the verdict:\n%s", res.Summary)
			}
			b, err := os.ReadFile(filepath.Join(ws, "workflow-audit.sarif"))
			if err != nil {
				t.Fatal(err)
			}
			var log struct {
				Runs []struct {
					Results []struct {
						RuleID    string `json:"ruleId"`
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string } `json:"artifactLocation"`
								Region           struct{ StartLine int }
							} `json:"physicalLocation"`
						}
					}
				}
			}
			if err := json.Unmarshal(b, &log); err != nil {
				t.Fatal(err)
			}
			if got := len(log.Runs[0].Results); got != tc.exit {
				t.Fatalf("SARIF holds %d results, want %d", got, tc.exit)
			}
			if tc.exit == 1 {
				loc := log.Runs[0].Results[0].Locations[0].PhysicalLocation
				if log.Runs[0].Results[0].RuleID != "unpinned-uses" || loc.ArtifactLocation.URI != ".github/workflows/ci.yml" || loc.Region.StartLine != 7 {
					t.Errorf("SARIF result: %+v", log.Runs[0].Results[0])
				}
			}
			matches, _ := filepath.Glob(filepath.Join(ws, "evidence-"+tc.name, "workflow-audit-*.json"))
			if len(matches) != 1 {
				t.Errorf("evidence files: %v", matches)
			}
		})
	}
}

// outputLines reads a GITHUB_OUTPUT file into "name=value" entries,
// resolving heredoc blocks.
func outputLines(s string) map[string]bool {
	out := map[string]bool{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			out[name+"="+strings.Join(val, "\n")] = true
		}
	}
	return out
}
