package main

import (
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/actions/sbom-gate/sbomgate"
	"github.com/hubgates/hub/shared/image"
)

// --sbom writes each platform binary's SBOMs beside the binaries, lists
// them as referrers in the OCI layout, pushes them as referrers of each
// platform image, and what it writes passes sbom-gate's parity: the
// release can check its own images.
func TestReleaseSBOMs(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	out := t.TempDir()
	code, stdout, stderr := runCLI(t, nil,
		"--root", repoRoot(t), "--actions-dir", "shared/image/testdata",
		"--version", "v0.0.2-sbom", "--revision", "abc123", "--created", "2024-01-02T03:04:05Z",
		"--registry", host, "--owner", "someone", "--platforms", "linux/amd64,linux/arm64",
		"--oci-layout", filepath.Join(out, "layout"), "--dist", filepath.Join(out, "dist"), "--push", "--sbom",
		"hellogate")
	if code != exitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	var ps []sbomgate.PlatformSBOM
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		for _, ext := range []string{".spdx.json", ".cdx.json"} {
			f := filepath.Join(out, "dist", "hellogate."+strings.ReplaceAll(p, "/", "-")+ext)
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			s, err := sbomgate.ParseSBOM(f, data)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Components) == 0 || !strings.Contains(strings.Join(s.SubjectPURLs, " "), "arch="+strings.TrimPrefix(p, "linux/")) {
				t.Errorf("%s: %d components, subject %v", f, len(s.Components), s.SubjectPURLs)
			}
			ps = append(ps, sbomgate.PlatformSBOM{Platform: p + ext, SBOM: s})
		}
	}
	if d := sbomgate.Parity(ps); len(d) != 0 {
		t.Errorf("parity of hellogate's own SBOMs: %+v", d)
	}

	li, err := layout.ImageIndexFromPath(filepath.Join(out, "layout", "hellogate"))
	if err != nil {
		t.Fatal(err)
	}
	lim, _ := li.IndexManifest()
	artifacts := 0
	for _, d := range lim.Manifests {
		if d.ArtifactType == image.SPDXMediaType || d.ArtifactType == image.CycloneDXMediaType {
			artifacts++
		}
	}
	if artifacts != 4 {
		t.Errorf("the layout lists %d SBOM referrers, want 4", artifacts)
	}

	ref, err := name.NewDigest(strings.Fields(stdout)[1])
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	for _, m := range im.Manifests {
		list, err := remote.Referrers(ref.Context().Digest(m.Digest.String()))
		if err != nil {
			t.Fatal(err)
		}
		lm, _ := list.IndexManifest()
		if len(lm.Manifests) != 2 {
			t.Errorf("%s: %d referrers in the registry, want 2", m.Platform.Architecture, len(lm.Manifests))
		}
	}
}
