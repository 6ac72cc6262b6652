package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/hubgates/hub/shared/image"
)

// miniModule writes a module named like hub holding one gate, tinygate,
// that prints the version stamped into it, and returns its root.
func miniModule(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                      "module " + modulePath + "\n\ngo 1.26.8\n",
		"shared/version/version.go":   "package version\n\n// Version is stamped by hub-image.\nvar Version = \"dev\"\n",
		"actions/tinygate/main.go":    "package main\n\nimport (\n\t\"fmt\"\n\n\t\"" + modulePath + "/shared/version\"\n)\n\nfunc main() { fmt.Println(version.Version) }\n",
		"actions/tinygate/action.yml": "name: tinygate\ndescription: test\nruns:\n  using: docker\n  image: docker://ghcr.io/hubgates/hub/tinygate@sha256:" + strings.Repeat("0", 64) + "\n",
	}
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestReleaseFileDefaults shows that release.json, not the commit or the
// environment, gives the version and creation time of a default build, and
// that no revision label ties the image to a commit.
func TestReleaseFileDefaults(t *testing.T) {
	root := miniModule(t)
	host := image.HostPlatform()
	build := func(env map[string]string, args ...string) string {
		t.Helper()
		args = append([]string{"--root", root, "--platforms", host}, args...)
		code, stdout, stderr := runCLI(t, env, append(args, "tinygate")...)
		if code != exitOK {
			t.Fatalf("%v: exit %d; stderr:\n%s", args, code, stderr)
		}
		return stdout
	}

	// Without release.json: SOURCE_DATE_EPOCH is the default creation time
	// and a bad one is a usage error.
	viaEnv := build(map[string]string{"SOURCE_DATE_EPOCH": "1704164645"})
	if viaFlag := build(nil, "--created", "1704164645"); viaFlag != viaEnv {
		t.Errorf("SOURCE_DATE_EPOCH gives %q, --created the same time %q", viaEnv, viaFlag)
	}
	if code, _, stderr := runCLI(t, map[string]string{"SOURCE_DATE_EPOCH": "soon"}, "--root", root, "tinygate"); code != exitUsage || !strings.Contains(stderr, `SOURCE_DATE_EPOCH "soon"`) {
		t.Errorf("bad SOURCE_DATE_EPOCH: exit %d, stderr %q", code, stderr)
	}

	// With release.json: its version and time are the defaults, and the
	// environment does not change them.
	if err := os.WriteFile(filepath.Join(root, "release.json"), []byte(`{"version": "v9.8.7", "created": "2025-06-01T00:00:00Z"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	dist, lay := t.TempDir(), t.TempDir()
	got := build(map[string]string{"SOURCE_DATE_EPOCH": "1704164645"}, "--dist", dist, "--oci-layout", lay)
	if want := build(nil, "--version", "v9.8.7", "--created", "2025-06-01T00:00:00Z"); got != want {
		t.Errorf("release.json defaults give %q, the same values as flags %q", got, want)
	}
	if got == viaEnv {
		t.Error("release.json changed nothing")
	}
	out, err := exec.Command(filepath.Join(dist, platformDir(host), "tinygate")).Output()
	if err != nil || strings.TrimSpace(string(out)) != "v9.8.7" {
		t.Errorf("the binary says version %q (%v), want v9.8.7", out, err)
	}
	idx, err := layout.ImageIndexFromPath(filepath.Join(lay, "tinygate"))
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cf.Config.Labels[image.LabelRevision]; ok || cf.Config.Labels[image.LabelVersion] != "v9.8.7" || cf.Created.UTC().Format("2006-01-02") != "2025-06-01" {
		t.Errorf("labels %v, created %v: want version v9.8.7, no revision, created 2025-06-01", cf.Config.Labels, cf.Created)
	}

	// A broken release.json is a usage error naming it.
	if err := os.WriteFile(filepath.Join(root, "release.json"), []byte(`{"version": "v 1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, nil, "--root", root, "tinygate"); code != exitUsage || !strings.Contains(stderr, "release.json") {
		t.Errorf("bad release.json: exit %d, stderr %q", code, stderr)
	}
}
