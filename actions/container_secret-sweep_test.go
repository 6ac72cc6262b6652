package actions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"hash/crc32"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/image"
	"github.com/hubgates/hub/shared/runnersim"
)

// mintToken returns a GitHub token of the format prefix whose CRC32
// checksum holds, from fresh random entropy: no token that passes a
// checksum is kept in the repository.
func mintToken(t *testing.T, prefix string) string {
	t.Helper()
	const b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var e [30]byte
	if _, err := rand.Read(e[:]); err != nil {
		t.Fatal(err)
	}
	for i := range e {
		e[i] = b62[int(e[i])%62]
	}
	n := crc32.ChecksumIEEE(e[:])
	var sum [6]byte
	for i := 5; i >= 0; i-- {
		sum[i] = b62[n%62]
		n /= 62
	}
	return prefix + string(e[:]) + string(sum[:])
}

// extraHeaderConfig is a .git/config as actions/checkout leaves it with
// persist-credentials: the token in a basic credential.
func extraHeaderConfig(token string) string {
	basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
	return "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = https://github.com/acme/app\n" +
		"[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic " + basic + "\n"
}

// sweepLeaks fails the test for every place a value shows up that the
// gate wrote or printed: stdout and stderr (but the runner's own mask
// command), GITHUB_OUTPUT, the step summary, and every file under dirs
// (SARIF, evidence) but the planted ones.
func sweepLeaks(t *testing.T, r gateRun, planted map[string]bool, dirs []string, values ...string) {
	t.Helper()
	for _, v := range values {
		forms := []string{v, base64.StdEncoding.EncodeToString([]byte(v))}
		for name, text := range map[string]string{"stdout": r.Stdout, "stderr": r.Stderr, "GITHUB_OUTPUT": string(r.Output), "summary": string(r.Summary)} {
			for _, line := range strings.Split(text, "\n") {
				if line != "::add-mask::"+v && strings.Contains(line, v) {
					t.Errorf("a planted value is in the %s: %q", name, line)
				}
			}
		}
		checked := 0
		for _, dir := range dirs {
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || planted[p] {
					return nil
				}
				b, err := os.ReadFile(p)
				if err != nil {
					return nil
				}
				checked++
				for _, f := range forms {
					if strings.Contains(string(b), f) {
						t.Errorf("a planted value is in %s", p)
					}
				}
				return nil
			})
		}
		if checked == 0 {
			t.Error("no file the gate wrote was checked")
		}
	}
}

// The container scope, as a container action: the token checkout
// persisted in .git/config, a given secret's value in a folder about to
// be uploaded, and a token the job's env handed the step (the gate's own
// environment) are found; the values appear nowhere the gate writes.
func TestSecretSweepContainer(t *testing.T) {
	requireDocker(t)
	jobTok, envTok := mintToken(t, "ghs_"), mintToken(t, "ghp_")
	const given = "correct-horse-battery-staple"
	ws := t.TempDir()
	writeTree(t, ws, map[string]string{
		".git/config":      extraHeaderConfig(jobTok),
		"dist/deploy.env":  "DEPLOY_PASSWORD=" + given + "\n",
		"src/main.go":      "package main\n",
		".github/hub.yml":  "version: 1\n",
		"dist/fixture.txt": "example " + mintToken(t, "ghp_")[:39] + "x\n",
	})
	planted := map[string]bool{filepath.Join(ws, ".git/config"): true, filepath.Join(ws, "dist/deploy.env"): true, filepath.Join(ws, "dist/fixture.txt"): true}
	r := runGateImage(t, "secret-sweep", ws, map[string]string{"secrets": given, "evidence-dir": "evidence"}, map[string]string{"GH_TOKEN": envTok}, "")
	r.wantExit(t, 1)
	r.wantOutputs(t, map[string]string{"verdict": "denied", "sarif-file": "secret-sweep.sarif"})
	r.wantSummaryHead(t, "## ❌ secret-sweep: denied")
	for _, want := range []string{
		`(?m)^\.git/config:6:\d+: git http extraheader with an Authorization basic credential \[git-extraheader\] \[persisted-credential\]$`,
		`(?m)^\.git/config:6:\d+: GitHub App token \(ghs_…\), checksum verified \[github-app-token\] \[leaked-token\]$`,
		`(?m)^dist/deploy\.env:1:17: the value of secret 1 \[secret-1\] \[leaked-secret-value\]$`,
		`(?m)^process/gate/environ/GH_TOKEN: GitHub personal access token \(classic\) \(ghp_…\), checksum verified in the environment of process 1 \(gate\), variable GH_TOKEN \[github-pat\] \[leaked-token\]$`,
	} {
		if !regexp.MustCompile(want).MatchString(r.Stdout) {
			t.Errorf("no line matches %s in\n%s", want, r.Stdout)
		}
	}
	if strings.Contains(r.Stdout, "fixture.txt") {
		t.Errorf("a token whose checksum fails was reported:\n%s", r.Stdout)
	}
	sweepLeaks(t, r, planted, []string{ws}, jobTok, envTok, given)
}

// The host scope, as the root composite runs it: docker run --pid=host
// --cap-add SYS_PTRACE -v /:/host:ro. A process of the host started with
// a token in its environment and a checkout's .git/config on the host are
// both found; the token appears nowhere the gate writes or prints.
func TestSecretSweepHostContainer(t *testing.T) {
	requireDocker(t)
	procTok, jobTok := mintToken(t, "ghp_"), mintToken(t, "ghs_")
	host := t.TempDir()
	writeTree(t, host, map[string]string{"work/app/app/.git/config": extraHeaderConfig(jobTok)})
	planted := map[string]bool{filepath.Join(host, "work/app/app/.git/config"): true}

	cmd := exec.Command("sh", "-c", "sleep 300; :")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GH_TOKEN=" + procTok}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	ws := t.TempDir()
	writeTree(t, ws, map[string]string{"README.md": "app\n"})
	actionYML, err := os.ReadFile(filepath.Join("secret-sweep", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	hostPaths := strings.TrimPrefix(filepath.ToSlash(host), "/") + "/work"
	res, err := image.RunLikeRunner(ctx, image.RunnerSpec{
		Image: gateImage(t, "secret-sweep"), Workspace: ws, Network: "none", ActionYML: actionYML,
		Inputs: map[string]string{"scope": "host", "host-paths": hostPaths, "evidence-dir": "evidence"},
		Env:    map[string]string{"GITHUB_REPOSITORY": "hubgates/fixture", "GITHUB_RUN_ID": "77"},
		PID:    "host", CapAdd: []string{"SYS_PTRACE"}, Mounts: []string{"/:/host:ro"},
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := runnersim.OutputMap(string(res.Output))
	if err != nil {
		t.Fatalf("GITHUB_OUTPUT: %v", err)
	}
	checkOwnCommands(t, res.Stdout, res.Stderr)
	r := gateRun{RunnerResult: res, Outputs: outs}
	r.wantExit(t, 1)
	r.wantOutputs(t, map[string]string{"verdict": "denied"})
	procLine := regexp.MustCompile(`(?m)^process/sh/environ/GH_TOKEN: GitHub personal access token \(classic\) \(ghp_…\), checksum verified in the environment of process ` +
		itoa(cmd.Process.Pid) + ` \(sh\), variable GH_TOKEN \[github-pat\] \[leaked-token\]$`)
	if !procLine.MatchString(r.Stdout) {
		t.Errorf("the host process's token was not found (pid %d):\n%s\n%s", cmd.Process.Pid, r.Stdout, r.Stderr)
	}
	cfg := regexp.QuoteMeta("host/"+hostPaths+"/app/app/.git/config") + `:6:\d+: `
	for _, want := range []string{cfg + `git http extraheader`, cfg + `GitHub App token \(ghs_…\), checksum verified`} {
		if !regexp.MustCompile(`(?m)^` + want).MatchString(r.Stdout) {
			t.Errorf("no line matches %s", want)
		}
	}
	sweepLeaks(t, r, planted, []string{ws}, procTok, jobTok)
}
