package image

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func digestOf(t testing.TB, idx v1.ImageIndex) v1.Hash {
	t.Helper()
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func build(t testing.TB, o Options) v1.ImageIndex {
	t.Helper()
	idx, err := Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// TestReproducible builds the index twice from two separate go builds and
// requires the same digest; a different version must change it.
func TestReproducible(t *testing.T) {
	const version = "v1.2.3"
	indexFrom := func(version string, created time.Time, platforms []string, bins map[string]string) v1.Hash {
		t.Helper()
		idx := build(t, Options{
			Gate:      "hellogate",
			Version:   version,
			Revision:  "0123456789abcdef",
			Platforms: platforms,
			Binaries:  bins,
			Created:   created,
		})
		return digestOf(t, idx)
	}
	twoBuilds := func(version string) map[string]string {
		bins := map[string]string{}
		for _, p := range DefaultPlatforms {
			bins[p] = buildHello(t, p, version)
		}
		return bins
	}

	a, b := twoBuilds(version), twoBuilds(version)
	for _, p := range DefaultPlatforms {
		if a[p] == b[p] {
			t.Fatalf("%s: both builds wrote %s", p, a[p])
		}
		ab, _ := os.ReadFile(a[p])
		bb, _ := os.ReadFile(b[p])
		if !bytes.Equal(ab, bb) {
			t.Errorf("%s: the two go builds differ (%d and %d bytes)", p, len(ab), len(bb))
		}
	}
	da := indexFrom(version, time.Time{}, DefaultPlatforms, a)
	db := indexFrom(version, time.Time{}, DefaultPlatforms, b)
	t.Logf("hellogate %s index digests: %s, %s", version, da, db)
	if da != db {
		t.Fatalf("index digests differ: %s and %s", da, db)
	}
	reversed := slices.Clone(DefaultPlatforms)
	slices.Reverse(reversed)
	if d := indexFrom(version, time.Time{}, reversed, b); d != da {
		t.Errorf("platform order changed the digest: %s, want %s", d, da)
	}
	if d := indexFrom(version, time.Unix(0, 0), DefaultPlatforms, b); d != da {
		t.Errorf("explicit Unix 0 gave %s, want the default's %s", d, da)
	}

	other := twoBuilds("v1.2.4")
	dv := indexFrom("v1.2.4", time.Time{}, DefaultPlatforms, other)
	if dv == da {
		t.Errorf("version v1.2.4 gave the same digest as %s: %s", version, dv)
	}
	if d := indexFrom(version, time.Unix(1700000000, 0), DefaultPlatforms, a); d == da {
		t.Errorf("a different created time gave the same digest %s", d)
	}
}

func TestLayerTarGzipDeterministic(t *testing.T) {
	bin := bytes.Repeat([]byte("not really an ELF binary "), 4096)
	a, err := LayerTarGzip(bin, time.Unix(1234, 0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := LayerTarGzip(slices.Clone(bin), time.Unix(1234, 0).In(time.FixedZone("x", 3600)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("equal inputs gave different layer bytes")
	}
	// The layer as go-containerregistry sees it keeps our compressed bytes.
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(a)), nil })
	if err != nil {
		t.Fatal(err)
	}
	d, err := l.Digest()
	if err != nil {
		t.Fatal(err)
	}
	want, _, _ := v1.SHA256(bytes.NewReader(a))
	if d != want {
		t.Fatalf("layer digest %s, want the digest of our bytes %s", d, want)
	}
	// gzip header: no mtime (bytes 4-7), no name flag.
	if a[3] != 0 || !bytes.Equal(a[4:8], []byte{0, 0, 0, 0}) {
		t.Errorf("gzip header has flags %x mtime %x", a[3], a[4:8])
	}
}

type tarEntry struct {
	hdr  tar.Header
	data []byte
}

func layerEntries(t testing.TB, img v1.Image) []tarEntry {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1", len(layers))
	}
	mt, err := layers[0].MediaType()
	if err != nil {
		t.Fatal(err)
	}
	if mt != types.OCILayer {
		t.Errorf("layer media type %s, want %s", mt, types.OCILayer)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var out []tarEntry
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tarEntry{*h, data})
	}
	return out
}

// checkGateImage checks one platform image of the hellogate index.
func checkGateImage(t *testing.T, img v1.Image, platform string, wantBinary []byte, version string) {
	t.Helper()
	spec, _ := lookupPlatform(platform)
	mt, err := img.MediaType()
	if err != nil {
		t.Fatal(err)
	}
	if mt != types.OCIManifestSchema1 {
		t.Errorf("%s: manifest media type %s", platform, mt)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("%s: config media type %s", platform, m.Config.MediaType)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != spec.arch {
		t.Errorf("%s: config os/arch %s/%s", platform, cf.OS, cf.Architecture)
	}
	if !slices.Equal(cf.Config.Entrypoint, []string{"/gate"}) {
		t.Errorf("%s: entrypoint %q", platform, cf.Config.Entrypoint)
	}
	if cf.Config.User != "" {
		t.Errorf("%s: user %q, want none", platform, cf.Config.User)
	}
	if len(cf.Config.Cmd) != 0 || len(cf.Config.Env) != 0 {
		t.Errorf("%s: cmd %q env %q, want none", platform, cf.Config.Cmd, cf.Config.Env)
	}
	if !cf.Created.Time.Equal(time.Unix(0, 0)) {
		t.Errorf("%s: created %s", platform, cf.Created.Time)
	}
	wantLabels := map[string]string{
		LabelTitle:    "hellogate",
		LabelVersion:  version,
		LabelRevision: "0123456789abcdef",
		LabelSource:   "https://github.com/hubgates/hub",
	}
	if len(cf.Config.Labels) != len(wantLabels) {
		t.Errorf("%s: labels %v, want %v", platform, cf.Config.Labels, wantLabels)
	}
	for k, v := range wantLabels {
		if cf.Config.Labels[k] != v {
			t.Errorf("%s: label %s=%q, want %q", platform, k, cf.Config.Labels[k], v)
		}
	}

	entries := layerEntries(t, img)
	var names []string
	for _, e := range entries {
		names = append(names, e.hdr.Name)
		if e.hdr.Uid != 0 || e.hdr.Gid != 0 || e.hdr.Uname != "" || e.hdr.Gname != "" {
			t.Errorf("%s: %s owned by %d(%s):%d(%s)", platform, e.hdr.Name, e.hdr.Uid, e.hdr.Uname, e.hdr.Gid, e.hdr.Gname)
		}
		if !e.hdr.ModTime.Equal(time.Unix(0, 0)) {
			t.Errorf("%s: %s mtime %s", platform, e.hdr.Name, e.hdr.ModTime)
		}
	}
	if !slices.Equal(names, []string{"gate", "tmp/"}) {
		t.Fatalf("%s: layer entries %q, want gate and tmp/", platform, names)
	}
	g, tmp := entries[0], entries[1]
	if g.hdr.Typeflag != tar.TypeReg || g.hdr.Mode != 0o755 {
		t.Errorf("%s: /gate type %c mode %o, want a regular file 0755", platform, g.hdr.Typeflag, g.hdr.Mode)
	}
	if !bytes.Equal(g.data, wantBinary) {
		t.Errorf("%s: /gate is not the built binary", platform)
	}
	ef, err := elf.NewFile(bytes.NewReader(g.data))
	if err != nil {
		t.Fatalf("%s: /gate: %v", platform, err)
	}
	wantMachine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[spec.arch]
	if ef.Machine != wantMachine {
		t.Errorf("%s: /gate is for %s", platform, ef.Machine)
	}
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s: /gate is dynamically linked", platform)
		}
	}
	if tmp.hdr.Typeflag != tar.TypeDir || tmp.hdr.Mode != 0o1777 || len(tmp.data) != 0 {
		t.Errorf("%s: /tmp type %c mode %o, want an empty directory 01777", platform, tmp.hdr.Typeflag, tmp.hdr.Mode)
	}
}

// TestPushPull pushes to an in-process registry and pulls back by digest.
func TestPushPull(t *testing.T) {
	const version = "v0.0.1-test"
	o := helloIndex(t, version)
	idx := build(t, o)
	want := digestOf(t, idx)

	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	ctx := context.Background()

	tagRef := Repository(host, DefaultOwner, "hellogate") + ":" + version
	got, err := Push(ctx, tagRef, idx)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("Push returned %s, want %s", got, want)
	}
	// Pushing again by digest is accepted; a wrong digest is not.
	byDigest := DigestRef(host, DefaultOwner, "hellogate", want)
	if _, err := Push(ctx, byDigest, idx); err != nil {
		t.Fatal(err)
	}
	wrong := DigestRef(host, DefaultOwner, "hellogate", v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)})
	if _, err := Push(ctx, wrong, idx); err == nil || !strings.Contains(err.Error(), want.String()) {
		t.Errorf("push to a wrong digest: err %v", err)
	}
	if _, err := Push(ctx, "Not A Ref", idx); err == nil || !strings.Contains(err.Error(), "Not A Ref") {
		t.Errorf("push to a bad reference: err %v", err)
	}

	ref, err := name.NewDigest(byDigest)
	if err != nil {
		t.Fatal(err)
	}
	pulled, err := remote.Index(ref, remote.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if d := digestOf(t, pulled); d != want {
		t.Fatalf("pulled digest %s, want %s", d, want)
	}
	tagged, err := remote.Index(mustTag(t, tagRef), remote.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if d := digestOf(t, tagged); d != want {
		t.Fatalf("tag %s has digest %s, want %s", tagRef, d, want)
	}

	im, err := pulled.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if im.MediaType != types.OCIImageIndex {
		t.Errorf("index media type %s", im.MediaType)
	}
	var plats []string
	for _, d := range im.Manifests {
		if d.Platform == nil {
			t.Fatalf("manifest %s has no platform", d.Digest)
		}
		if d.MediaType != types.OCIManifestSchema1 {
			t.Errorf("manifest %s media type %s", d.Digest, d.MediaType)
		}
		plats = append(plats, d.Platform.String())
	}
	if !slices.Equal(plats, []string{"linux/amd64", "linux/arm64"}) {
		t.Fatalf("platforms %q", plats)
	}
	for _, p := range DefaultPlatforms {
		img, err := PlatformImage(pulled, p)
		if err != nil {
			t.Fatal(err)
		}
		bin, err := os.ReadFile(o.Binaries[p])
		if err != nil {
			t.Fatal(err)
		}
		checkGateImage(t, img, p, bin, version)
	}
}

func mustTag(t testing.TB, s string) name.Tag {
	t.Helper()
	tag, err := name.NewTag(s)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

func TestWriteLayout(t *testing.T) {
	idx := build(t, helloIndex(t, "v0.0.1-test"))
	want := digestOf(t, idx)
	dir := filepath.Join(t.TempDir(), "layout", "hellogate")
	if err := WriteLayout(dir, idx); err != nil {
		t.Fatal(err)
	}
	back, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := digestOf(t, back); d != want {
		t.Fatalf("layout index digest %s, want %s", d, want)
	}
	// Every blob the index names is in the layout.
	for _, p := range DefaultPlatforms {
		img, err := PlatformImage(back, p)
		if err != nil {
			t.Fatal(err)
		}
		bin, err := os.ReadFile(sharedHello(t, p, "v0.0.1-test"))
		if err != nil {
			t.Fatal(err)
		}
		checkGateImage(t, img, p, bin, "v0.0.1-test")
	}
	// Writing again is idempotent.
	if err := WriteLayout(dir, idx); err != nil {
		t.Fatal(err)
	}
	if err := WriteLayout("", idx); err == nil {
		t.Error("empty layout directory accepted")
	}
}

func TestWriteDockerTarball(t *testing.T) {
	o := helloIndex(t, "v0.0.1-test")
	idx := build(t, o)
	dir := t.TempDir()
	path := filepath.Join(dir, "hellogate.tar")
	const tag = "ghcr.io/hubgates/hub/hellogate:v0.0.1-test"
	for _, p := range DefaultPlatforms {
		if err := WriteDockerTarball(path, idx, p, tag); err != nil {
			t.Fatal(err)
		}
		img, err := tarball.ImageFromPath(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := PlatformImage(idx, p)
		if err != nil {
			t.Fatal(err)
		}
		wantCfg, _ := want.ConfigName()
		gotCfg, err := img.ConfigName()
		if err != nil {
			t.Fatal(err)
		}
		if gotCfg != wantCfg {
			t.Errorf("%s: tarball config %s, want %s", p, gotCfg, wantCfg)
		}
		m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(path) })
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != 1 || !slices.Equal(m[0].RepoTags, []string{tag}) {
			b, _ := json.Marshal(m)
			t.Errorf("%s: manifest.json %s", p, b)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if err := WriteDockerTarball(path, idx, "linux/s390x", tag); err == nil {
		t.Error("a platform missing from the index was accepted")
	}
	if err := WriteDockerTarball(path, idx, "linux/amd64", "Bad Tag"); err == nil {
		t.Error("a bad tag was accepted")
	}
	if err := WriteDockerTarball(filepath.Join(dir, "missing", "x.tar"), idx, "linux/amd64", tag); err == nil {
		t.Error("a missing directory was accepted")
	}
}

// TestCompanionBesideGate: a companion program lands at /<name> beside
// /gate, executable, in sorted order; a name that would replace the gate
// or /tmp is refused.
func TestCompanionBesideGate(t *testing.T) {
	dir := t.TempDir()
	gateBin, engine := filepath.Join(dir, "gate-bin"), filepath.Join(dir, "slsa-verifier")
	if err := os.WriteFile(gateBin, []byte("gate"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(engine, []byte("engine"), 0o755); err != nil {
		t.Fatal(err)
	}
	o, err := NewOptions("verify-provenance", WithPlatforms("linux/amd64"), WithBinary("linux/amd64", gateBin), WithCompanion("linux/amd64", engine))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := Build(context.Background(), o)
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
	var got []string
	for _, e := range layerEntries(t, img) {
		got = append(got, fmt.Sprintf("%s %o %s", e.hdr.Name, e.hdr.Mode, e.data))
	}
	want := []string{"gate 755 gate", "slsa-verifier 755 engine", "tmp/ 1777 "}
	if !slices.Equal(got, want) {
		t.Errorf("layer %q, want %q", got, want)
	}
	for _, bad := range []string{filepath.Join(dir, "gate"), filepath.Join(dir, "tmp"), ""} {
		if _, err := NewOptions("verify-provenance", WithCompanion("linux/amd64", bad)); err == nil {
			t.Errorf("companion %q accepted", bad)
		}
	}
}
