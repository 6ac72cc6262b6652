package image

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	spdxjson "github.com/spdx/tools-golang/json"
)

// The SBOMs of a Go binary list the standard library and every module of
// its build information by package URL, in SPDX 2.3 and CycloneDX 1.6 that
// the formats' own libraries read back, and are the same bytes every time.
func TestBinarySBOMs(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bi, err := buildinfo.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	opts := SBOMOptions{Gate: "hellogate", Version: "v1.2.3", Platform: "linux/arm64", Created: time.Unix(1700000000, 0)}
	s, err := BinarySBOMs(exe, opts)
	if err != nil {
		t.Fatal(err)
	}
	again, err := BinarySBOMs(exe, opts)
	if err != nil || !bytes.Equal(s.SPDX, again.SPDX) || !bytes.Equal(s.CycloneDX, again.CycloneDX) {
		t.Fatalf("two runs differ (%v)", err)
	}
	doc, err := spdxjson.Read(bytes.NewReader(s.SPDX))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Packages) != len(bi.Deps)+2 || doc.CreationInfo.Created != "2023-11-14T22:13:20Z" {
		t.Errorf("SPDX: %d packages for %d modules, created %s", len(doc.Packages), len(bi.Deps), doc.CreationInfo.Created)
	}
	if want := "pkg:golang/" + bi.Path + "@v1.2.3?arch=arm64&os=linux"; doc.Packages[0].PackageExternalReferences[0].Locator != want {
		t.Errorf("described package %s, want %s", doc.Packages[0].PackageExternalReferences[0].Locator, want)
	}
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(s.CycloneDX), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatal(err)
	}
	var purls []string
	for _, c := range *bom.Components {
		purls = append(purls, c.PackageURL)
	}
	if bom.SpecVersion != cdx.SpecVersion1_6 || !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") || len(purls) != len(bi.Deps)+1 ||
		!slices.Contains(purls, "pkg:golang/stdlib@"+strings.TrimPrefix(bi.GoVersion, "go")) {
		t.Errorf("CycloneDX %s %s: %v", bom.SpecVersion, bom.SerialNumber, purls)
	}
	for _, d := range bi.Deps {
		if d.Replace == nil && !slices.Contains(purls, "pkg:golang/"+d.Path+"@"+d.Version) {
			t.Errorf("module %s@%s is missing", d.Path, d.Version)
		}
	}
	if _, err := BinarySBOMs(exe, SBOMOptions{Gate: "x", Platform: "plan9/mips"}); err == nil {
		t.Error("an unknown platform was accepted")
	}
	if _, err := BinarySBOMs("sbom_test.go", opts); err == nil {
		t.Error("a file without build information was accepted")
	}
}

// testIndex is an index of two random platform images.
func testIndex(t *testing.T) v1.ImageIndex {
	t.Helper()
	var idx v1.ImageIndex = empty.Index
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	return idx
}

// Each platform image gets its two SBOMs as OCI referrers: a registry's
// referrers API lists them by artifact type with the SBOM as their layer,
// and an OCI layout lists them in its index.json.
func TestSBOMReferrers(t *testing.T) {
	idx := testIndex(t)
	sboms := map[string]SBOMs{
		"linux/amd64": {SPDX: []byte(`{"spdxVersion":"SPDX-2.3","name":"amd64"}`), CycloneDX: []byte(`{"bomFormat":"CycloneDX","n":"amd64"}`)},
		"linux/arm64": {SPDX: []byte(`{"spdxVersion":"SPDX-2.3","name":"arm64"}`), CycloneDX: []byte(`{"bomFormat":"CycloneDX","n":"arm64"}`)},
	}
	refs, err := SBOMReferrers(idx, "hellogate", sboms)
	if err != nil || len(refs) != 4 {
		t.Fatalf("%d referrers, %v", len(refs), err)
	}
	if _, err := SBOMReferrers(idx, "hellogate", map[string]SBOMs{"linux/amd64": sboms["linux/amd64"]}); err == nil {
		t.Error("a platform without SBOMs was accepted")
	}

	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	repo := strings.TrimPrefix(srv.URL, "http://") + "/hubgates/hub/hellogate"
	ctx := context.Background()
	if _, err := Push(ctx, repo+":v1", idx); err != nil {
		t.Fatal(err)
	}
	if err := PushReferrers(ctx, repo, refs); err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	for _, m := range im.Manifests {
		d, err := name.NewDigest(repo+"@"+m.Digest.String(), name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		list, err := remote.Referrers(d)
		if err != nil {
			t.Fatal(err)
		}
		lm, _ := list.IndexManifest()
		var types []string
		for _, r := range lm.Manifests {
			types = append(types, r.ArtifactType)
			img, err := remote.Image(d.Context().Digest(r.Digest.String()))
			if err != nil {
				t.Fatal(err)
			}
			ls, _ := img.Layers()
			rc, _ := ls[0].Compressed()
			var b bytes.Buffer
			b.ReadFrom(rc)
			rc.Close()
			if !strings.Contains(b.String(), m.Platform.Architecture) {
				t.Errorf("referrer of %s holds %s", m.Platform.Architecture, b.String())
			}
		}
		slices.Sort(types)
		if !slices.Equal(types, []string{SPDXMediaType, CycloneDXMediaType}) {
			t.Errorf("referrers of %s: %v", m.Platform.Architecture, types)
		}
	}

	dir := t.TempDir()
	if err := WriteLayout(dir, idx); err != nil {
		t.Fatal(err)
	}
	if err := WriteLayoutReferrers(dir, refs); err != nil {
		t.Fatal(err)
	}
	li, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	lim, _ := li.IndexManifest()
	subjects := 0
	for _, d := range lim.Manifests {
		if d.ArtifactType == "" {
			continue
		}
		img, err := li.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		m, err := img.Manifest()
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != nil {
			subjects++
		}
	}
	if subjects != 4 {
		t.Errorf("layout lists %d referrers with a subject, want 4", subjects)
	}
}
