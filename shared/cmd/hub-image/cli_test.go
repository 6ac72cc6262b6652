package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/hubgates/hub/shared/image"
	hubrelease "github.com/hubgates/hub/shared/release"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if !hubrelease.IsModuleRoot(root) {
		t.Fatalf("%s is not the module root", root)
	}
	return root
}

func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	root := repoRoot(t)
	base := []string{"--root", root, "--actions-dir", "shared/image/testdata"}
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--platforms", "linux/amd64,linux/mips"}, nil, `--platforms "linux/amd64,linux/mips": unknown platform "linux/mips"`},
		{[]string{"--platforms", ""}, nil, `--platforms "": no platforms`},
		{[]string{"--created", "yesterday"}, nil, `--created "yesterday"`},
		{[]string{"--created", "-5"}, nil, `--created "-5"`},
		{[]string{"--version", "v1 2"}, nil, `--version: version "v1 2"`},
		{[]string{"--version", ""}, nil, `--version: empty version`},
		{[]string{"--revision", "a b"}, nil, `--revision: revision "a b"`},
		{[]string{"--owner", "HubGates"}, nil, `--owner: owner "HubGates"`},
		{[]string{"--registry", "not a registry"}, nil, `--registry "not a registry"`},
		{[]string{"--registry", "ghcr.io/x"}, nil, `--registry "ghcr.io/x"`},
		{[]string{"--oci-layout", ""}, nil, `--oci-layout "": empty directory`},
		{[]string{"--docker-tar", "x", "--platforms", "linux/s390x"}, nil, `--docker-tar "x": the host platform`},
		{[]string{"--push=maybe"}, nil, `"maybe"`},
		{[]string{"--no-such-flag"}, nil, "no-such-flag"},
		{[]string{"--actions-dir", "../elsewhere"}, nil, `--actions-dir "../elsewhere"`},
		{[]string{"nosuchgate"}, nil, `gate "nosuchgate": no shared/image/testdata/nosuchgate/main.go`},
		{[]string{"Bad_Gate"}, nil, `gate "Bad_Gate"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append(append([]string{}, base...), tt.args...)
			if last := tt.args[len(tt.args)-1]; last != "nosuchgate" && last != "Bad_Gate" {
				args = append(args, "hellogate")
			}
			code, stdout, stderr := runCLI(t, tt.env, args...)
			if code != exitUsage {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want it to contain %q", stderr, tt.want)
			}
		})
	}
	if code, _, stderr := runCLI(t, nil, "--root", t.TempDir()); code != exitUsage || !strings.Contains(stderr, "--root") {
		t.Errorf("--root elsewhere: exit %d, stderr %q", code, stderr)
	}
}

func TestBuildFailure(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "--root", repoRoot(t), "--actions-dir", "shared/image/testdata",
		"--version", "v0", "--platforms", "linux/amd64", "brokengate")
	if code != exitBuild {
		t.Fatalf("exit code %d, want %d; stderr:\n%s", code, exitBuild, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout %q", stdout)
	}
	for _, want := range []string{"brokengate", "thisFunctionDoesNotExist"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q does not contain %q", stderr, want)
		}
	}
}

// TestRelease runs the whole command on hellogate: layout, docker tarball
// and push to an in-process registry.
func TestRelease(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	out := t.TempDir()
	platforms := "linux/amd64,linux/arm64"
	if hp := image.HostPlatform(); hp != "linux/amd64" && hp != "linux/arm64" {
		platforms += "," + hp
	}
	code, stdout, stderr := runCLI(t, nil,
		"--root", repoRoot(t), "--actions-dir", "shared/image/testdata",
		"--version", "v0.0.1-cli", "--revision", "abc123", "--created", "2024-01-02T03:04:05Z",
		"--registry", host, "--owner", "someone", "--platforms", platforms,
		"--oci-layout", filepath.Join(out, "layout"),
		"--docker-tar", filepath.Join(out, "tar"),
		"--dist", filepath.Join(out, "dist"),
		"--push",
		"hellogate")
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	m := regexp.MustCompile(`^hellogate (` + regexp.QuoteMeta(host) + `/someone/hub/hellogate@(sha256:[0-9a-f]{64}))\n$`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("stdout %q", stdout)
	}
	digestRef, digest := m[1], m[2]

	idx, err := layout.ImageIndexFromPath(filepath.Join(out, "layout", "hellogate"))
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := idx.Digest(); d.String() != digest {
		t.Errorf("layout digest %s, printed %s", d, digest)
	}
	ref, err := name.NewDigest(digestRef)
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := pulled.Digest(); d.String() != digest {
		t.Errorf("registry digest %s, printed %s", d, digest)
	}
	tag, err := name.NewTag(host + "/someone/hub/hellogate:v0.0.1-cli")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := remote.Head(tag); err != nil || d.Digest.String() != digest {
		t.Errorf("tag: %v %v", d, err)
	}
	img, err := tarball.ImageFromPath(filepath.Join(out, "tar", "hellogate.tar"), &tag)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Architecture != strings.TrimPrefix(image.HostPlatform(), "linux/") || cf.Created.Unix() != 1704164645 ||
		cf.Config.Labels[image.LabelSource] != "https://github.com/someone/hub" || cf.Config.Labels[image.LabelRevision] != "abc123" {
		t.Errorf("docker tarball config: %+v", cf)
	}
	for _, p := range []string{"linux-amd64", "linux-arm64"} {
		if _, err := os.Stat(filepath.Join(out, "dist", p, "hellogate")); err != nil {
			t.Error(err)
		}
	}

	// The same command again gives the same line; unix seconds work too.
	code, again, stderr := runCLI(t, nil,
		"--root", repoRoot(t), "--actions-dir", "shared/image/testdata",
		"--version", "v0.0.1-cli", "--revision", "abc123", "--created", "1704164645",
		"--registry", host, "--owner", "someone", "--platforms", platforms,
		"hellogate")
	if code != exitOK || again != stdout {
		t.Errorf("second run: exit %d, %q, want %q; stderr:\n%s", code, again, stdout, stderr)
	}
}

func TestParseCreated(t *testing.T) {
	for in, want := range map[string]int64{
		"0":                         0,
		"1704164645":                1704164645,
		"2024-01-02T03:04:05Z":      1704164645,
		"2024-01-02T04:04:05+01:00": 1704164645,
	} {
		got, err := parseCreated(in)
		if err != nil || got.Unix() != want {
			t.Errorf("parseCreated(%q) = %v, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "-1", "2024-01-02", "2024-01-02T03:04:05.5Z", "99999999999"} {
		if _, err := parseCreated(in); err == nil {
			t.Errorf("parseCreated(%q) accepted", in)
		}
	}
}
