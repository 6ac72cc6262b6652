package sbomgate

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/image"
)

// pushRelease pushes an index of two platform images to a registry and
// attaches sboms (by platform) as their referrers, as hub-image --sbom
// does; it returns the index's tag reference.
func pushRelease(t *testing.T, host string, sboms map[string]image.SBOMs) string {
	t.Helper()
	var idx v1.ImageIndex = empty.Index
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(128, 1)
		if err != nil {
			t.Fatal(err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	ctx := context.Background()
	repo := host + "/acme/app"
	if _, err := image.Push(ctx, repo+":1.4.0", idx); err != nil {
		t.Fatal(err)
	}
	refs, err := image.SBOMReferrers(idx, "app", sboms)
	if err != nil {
		t.Fatal(err)
	}
	if err := image.PushReferrers(ctx, repo, refs); err != nil {
		t.Fatal(err)
	}
	return repo + ":1.4.0"
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// parity reads each platform's SBOM from the OCI referrers of an image
// index in a registry: alike platforms pass, a platform whose SBOM lacks a
// package denies, a platform without an SBOM referrer is bad input, and a
// registry that does not answer is undecided.
func TestParityFromImage(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	amd, arm, armLess := readTestdata(t, "app-amd64.cdx.json"), readTestdata(t, "app-arm64.spdx.json"), readTestdata(t, "app-arm64-less.spdx.json")
	run := func(ref string) (gate.ExitCode, string) {
		var out bytes.Buffer
		code := gate.Execute(context.Background(), Gate, gate.Process{
			Args: []string{"--operation=parity", "--image=" + ref, "--timeout=5s"}, Getenv: func(string) string { return "" },
			Stdout: &out, Stderr: &out, Cwd: t.TempDir(), Now: time.Now,
		})
		return code, out.String()
	}

	alike := pushRelease(t, host, map[string]image.SBOMs{"linux/amd64": {SPDX: amd, CycloneDX: amd}, "linux/arm64": {SPDX: arm, CycloneDX: arm}})
	if code, out := run(alike); code != gate.Passed || !strings.Contains(out, "components=linux/amd64=4\nlinux/arm64=4") {
		t.Errorf("alike: exit %d\n%s", code, out)
	}
	differ := pushRelease(t, host, map[string]image.SBOMs{"linux/amd64": {SPDX: amd, CycloneDX: amd}, "linux/arm64": {SPDX: armLess, CycloneDX: armLess}})
	if code, out := run(differ); code != gate.Denied || !strings.Contains(out, "pkg:golang/golang.org/x/net is missing on linux/arm64") {
		t.Errorf("differ: exit %d\n%s", code, out)
	}
	if code, out := run(host + "/acme/nothing:1"); code != gate.BadInput || !strings.Contains(out, `input "image"`) {
		t.Errorf("missing image: exit %d\n%s", code, out)
	}
	srv.Close()
	if code, out := run(alike); code != gate.Undecided {
		t.Errorf("registry gone: exit %d\n%s", code, out)
	}
}
