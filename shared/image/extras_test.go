package image

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNestedModules(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"engine/go.mod", "proof/doc.go", "zeta/go.mod", "README.md"} {
		p = filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("module x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := NestedModules(dir)
	if err != nil || !slices.Equal(got, []string{"engine", "zeta"}) {
		t.Fatalf("NestedModules = %v, %v; want [engine zeta]", got, err)
	}
	if p := ExtraPath("kyverno-proof", "engine"); p != "/kyverno-proof-engine" {
		t.Errorf("ExtraPath = %q", p)
	}
}

func TestWithExtraRefusesBadPaths(t *testing.T) {
	for _, p := range []string{"gate", "/gate", "/tmp", "/a/b", "/Upper", ""} {
		if _, err := NewOptions("g", WithExtra(p, map[string]string{"linux/amd64": "x"})); err == nil {
			t.Errorf("WithExtra(%q) accepted", p)
		}
	}
	o, err := NewOptions("g", WithPlatforms("linux/amd64"), WithBinary("linux/amd64", "a"), WithExtra("/g-engine", map[string]string{"linux/arm64": "b"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "no binary for platform linux/amd64") {
		t.Errorf("an extra without the image's platform: %v", err)
	}
}

// An image with an extra binary holds it at its path, executable, with
// the entries sorted by name, and stays reproducible.
func TestBuildWithExtra(t *testing.T) {
	dir := t.TempDir()
	gateBin, extraBin := filepath.Join(dir, "gate"), filepath.Join(dir, "extra")
	if err := os.WriteFile(gateBin, []byte("gate binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(extraBin, []byte("extra binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	build := func() (string, []string) {
		o, err := NewOptions("g", WithPlatforms("linux/amd64"), WithBinary("linux/amd64", gateBin),
			WithExtra("/g-engine", map[string]string{"linux/amd64": extraBin}), WithCreated(time.Unix(1700000000, 0)))
		if err != nil {
			t.Fatal(err)
		}
		idx, err := Build(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := idx.Digest()
		m, _ := idx.IndexManifest()
		img, err := idx.Image(m.Manifests[0].Digest)
		if err != nil {
			t.Fatal(err)
		}
		layers, _ := img.Layers()
		rc, err := layers[0].Compressed()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		zr, err := gzip.NewReader(rc)
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(zr)
		var names []string
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(tr)
			names = append(names, h.Name+":"+string(b))
			if h.Name == "g-engine" && h.Mode != BinaryMode {
				t.Errorf("g-engine mode %o", h.Mode)
			}
		}
		return d.String(), names
	}
	d1, names := build()
	if want := []string{"g-engine:extra binary", "gate:gate binary", "tmp/:"}; !slices.Equal(names, want) {
		t.Errorf("layer entries %q, want %q", names, want)
	}
	if d2, _ := build(); d1 != d2 {
		t.Errorf("two builds: %s and %s", d1, d2)
	}
}
