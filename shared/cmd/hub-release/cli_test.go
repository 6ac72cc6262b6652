package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/image"
)

var zeroPin = "ghcr.io/hubgates/hub/tinygate@sha256:" + strings.Repeat("0", 64)

// miniRepo writes and commits a git repository of a module named like hub
// with one gate, tinygate, pinned (wrongly) in its action.yml, in a root
// composite action.yml and in a workflow, and returns its root.
func miniRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                      "module " + modulePath + "\n\ngo 1.26.8\n",
		"shared/version/version.go":   "package version\n\n// Version is stamped by the release build.\nvar Version = \"dev\"\n",
		"actions/tinygate/main.go":    "package main\n\nimport (\n\t\"fmt\"\n\n\t\"" + modulePath + "/shared/version\"\n)\n\nfunc main() { fmt.Println(version.Version) }\n",
		"actions/tinygate/action.yml": "# a comment that stays\nname: tinygate\ndescription: test\nruns:\n  using: docker\n  image: \"docker://" + zeroPin + "\"\n",
		"action.yml":                  "name: hub\nruns:\n  using: composite\n  steps:\n    - uses: docker://" + zeroPin + "\n",
		"workflows/pr.yml":            "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: docker://" + zeroPin + " # tinygate\n",
	}
	for name, content := range files {
		writeFile(t, filepath.Join(root, filepath.FromSlash(name)), content)
	}
	gitT(t, root, "init", "-q")
	gitT(t, root, "add", ".")
	gitT(t, root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "init")
	return root
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func gitT(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestReleaseCommitRebuildsToItsPins prepares a release in a repository,
// clones the release commit afresh and checks it: the commit that wrote the
// pins rebuilds to them. A pin edited afterwards, and a source change
// without new pins, are both refused.
func TestReleaseCommitRebuildsToItsPins(t *testing.T) {
	root := miniRepo(t)
	host := image.HostPlatform()
	t.Setenv("GIT_AUTHOR_NAME", "t")
	t.Setenv("GIT_AUTHOR_EMAIL", "t@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "t")
	t.Setenv("GIT_COMMITTER_EMAIL", "t@example.com")

	code, stdout, stderr := runCLI(t, "prepare", "--root", root, "--platforms", host,
		"--version", "v1.2.3", "--created", "2026-01-02T03:04:05Z", "--commit")
	if code != exitOK {
		t.Fatalf("prepare: exit %d\n%s%s", code, stdout, stderr)
	}
	m := regexp.MustCompile(`(?m)^tinygate (ghcr\.io/hubgates/hub/tinygate@sha256:[0-9a-f]{64})\ncommit ([0-9a-f]{40})\n`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("prepare printed %q", stdout)
	}
	ref, commit := m[1], m[2]
	if ref == zeroPin {
		t.Fatal("prepare kept the old pin")
	}
	if head := gitT(t, root, "rev-parse", "HEAD"); head != commit {
		t.Errorf("printed commit %s, HEAD is %s", commit, head)
	}
	if msg := gitT(t, root, "log", "-1", "--format=%s"); msg != "release v1.2.3" {
		t.Errorf("commit message %q", msg)
	}
	// Every pin moved, and only the pins: the comment and quoting stay.
	for file, want := range map[string]string{
		"actions/tinygate/action.yml": "# a comment that stays\nname: tinygate\ndescription: test\nruns:\n  using: docker\n  image: \"docker://" + ref + "\"\n",
		"action.yml":                  "name: hub\nruns:\n  using: composite\n  steps:\n    - uses: docker://" + ref + "\n",
		"workflows/pr.yml":            "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: docker://" + ref + " # tinygate\n",
		"release.json":                "{\n  \"version\": \"v1.2.3\",\n  \"created\": \"2026-01-02T03:04:05Z\"\n}\n",
	} {
		got, err := os.ReadFile(filepath.Join(root, file))
		if err != nil || string(got) != want {
			t.Errorf("%s after prepare:\n%s\nwant:\n%s", file, got, want)
		}
	}
	if st := gitT(t, root, "status", "--porcelain"); st != "" {
		t.Errorf("prepare --commit left changes: %s", st)
	}

	// A fresh clone of the release commit rebuilds to its pins.
	clone := filepath.Join(t.TempDir(), "clone")
	gitT(t, filepath.Dir(clone), "clone", "-q", root, clone)
	code, stdout, stderr = runCLI(t, "check", "--root", clone, "--platforms", host)
	if code != exitOK || !strings.Contains(stdout, "tinygate "+ref+"\n") || !strings.Contains(stdout, "ok: 3 pins in 3 files") {
		t.Fatalf("check of the clone: exit %d\n%s%s", code, stdout, stderr)
	}

	// One pin edited by hand: the check names the file and line.
	other := "ghcr.io/hubgates/hub/tinygate@sha256:" + strings.Repeat("1", 64)
	wf := filepath.Join(clone, "workflows", "pr.yml")
	data, _ := os.ReadFile(wf)
	writeFile(t, wf, strings.Replace(string(data), ref, other, 1))
	code, stdout, _ = runCLI(t, "check", "--root", clone, "--platforms", host)
	if code != exitMismatch || !strings.Contains(stdout, "workflows/pr.yml:6: stale pin: pins "+other+", the rebuild is "+ref) {
		t.Errorf("edited pin: exit %d\n%s", code, stdout)
	}
	writeFile(t, wf, string(data))

	// The sources change but the pins do not: every pin is stale.
	mainGo := filepath.Join(clone, "actions", "tinygate", "main.go")
	src, _ := os.ReadFile(mainGo)
	writeFile(t, mainGo, strings.Replace(string(src), "fmt.Println(version.Version)", "fmt.Println(\"tinygate\", version.Version)", 1))
	code, stdout, _ = runCLI(t, "check", "--root", clone, "--platforms", host)
	if code != exitMismatch || strings.Count(stdout, "stale pin") != 3 {
		t.Errorf("changed source: exit %d\n%s", code, stdout)
	}
	writeFile(t, mainGo, string(src))

	// Another version in release.json is another build.
	writeFile(t, filepath.Join(clone, "release.json"), "{\"version\": \"v1.2.4\", \"created\": \"2026-01-02T03:04:05Z\"}\n")
	if code, stdout, _ = runCLI(t, "check", "--root", clone, "--platforms", host); code != exitMismatch {
		t.Errorf("other version: exit %d\n%s", code, stdout)
	}
}

func TestCheckProblems(t *testing.T) {
	root := miniRepo(t)
	host := image.HostPlatform()
	// No release.json: a usage error naming it.
	if code, _, stderr := runCLI(t, "check", "--root", root, "--platforms", host); code != exitUsage || !strings.Contains(stderr, "release.json") {
		t.Errorf("no release.json: exit %d, %q", code, stderr)
	}
	writeFile(t, filepath.Join(root, "release.json"), "{\"version\": \"v1.0.0\", \"created\": \"2026-01-02T03:04:05Z\"}\n")
	// A pin of a gate that does not exist, and the stale pins of main.
	ghost := "ghcr.io/hubgates/hub/ghost@sha256:" + strings.Repeat("2", 64)
	writeFile(t, filepath.Join(root, ".github", "workflows", "hub.yml"), "jobs:\n  a:\n    steps:\n      - uses: docker://"+ghost+"\n")
	code, stdout, _ := runCLI(t, "check", "--root", root, "--platforms", host)
	if code != exitMismatch {
		t.Errorf("exit %d, want %d", code, exitMismatch)
	}
	for _, want := range []string{
		".github/workflows/hub.yml:4: pins " + ghost + ", but no gate \"ghost\" was rebuilt",
		"actions/tinygate/action.yml:6: stale pin: pins " + zeroPin,
		"action.yml:5: stale pin",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	// A gate whose action.yml pins nothing.
	writeFile(t, filepath.Join(root, "actions", "tinygate", "action.yml"), "name: tinygate\nruns:\n  using: docker\n  image: Dockerfile\n")
	if _, stdout, _ = runCLI(t, "check", "--root", root, "--platforms", host); !strings.Contains(stdout, "actions/tinygate/action.yml: no pin of gate tinygate") {
		t.Errorf("unpinned gate not reported:\n%s", stdout)
	}
}

func TestUsage(t *testing.T) {
	root := miniRepo(t)
	dirty := miniRepo(t)
	writeFile(t, filepath.Join(dirty, "actions", "tinygate", "main.go"), "package main\n\nfunc main() {}\n")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "usage"},
		{[]string{"publish"}, `unknown subcommand "publish"`},
		{[]string{"prepare", "--root", root}, "--version: required"},
		{[]string{"prepare", "--root", root, "--version", "v 1"}, `--version "v 1"`},
		{[]string{"prepare", "--root", root, "--version", "v1", "--created", "soon"}, `--created "soon"`},
		{[]string{"check", "--root", root, "--platforms", "linux/mips"}, `--platforms "linux/mips"`},
		{[]string{"check", "--root", root, "--owner", "Upper"}, "--owner"},
		{[]string{"check", "--root", t.TempDir()}, "--root"},
		{[]string{"check", "--root", root, "extra"}, `unexpected argument "extra"`},
		{[]string{"trusted-root"}, "--out: required"},
		{[]string{"prepare", "--root", dirty, "--version", "v1", "--commit"}, "--commit: the work tree must be a clean checkout"},
		{[]string{"trusted-root", "--out", "x.json", "--timeout", "0s"}, "--timeout 0s"},
	} {
		code, _, stderr := runCLI(t, tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}
