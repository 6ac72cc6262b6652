package testscripts

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/rogpeppe/go-internal/testscript"
)

// The reproducible scripts' commands, registered in TestScripts: builds of
// one small tree that differ in exactly the ways a script names.
//
//	repro-build KIND OUT [VARIANT...]
//	    write the tree as KIND (tar, tar.gz, zip, dir, or layout: an OCI
//	    layout of an index for linux/amd64 and linux/arm64, one layer
//	    each) at OUT. Each VARIANT changes one thing:
//	      mtime=PATH  uid=PATH  mode=PATH  xattr=PATH  byte=PATH
//	      extra=PATH  link=PATH  order (entries reversed)
//	      type=PATH (a link becomes a regular file)
//	      env=KEY=VALUE (layout: a variable in the config's Env)
//	      gzname=NAME (the gzip header's file name)
//	      level=N (gzip level of the archive or layers)
//	      label=KEY=VALUE (layout: a config label)
//	      created=RFC3339 (layout: the config's created)
//	      drop=PLATFORM (layout: leave a platform out of the index)
//	repro-push DIR REF
//	    push the OCI layout DIR's index to REF (see oci-registry)
//	repro-gobin OUT VALUE [-trimpath]
//	    build a small Go program with -ldflags=-X main.version=VALUE
//	    (and -trimpath) into OUT

// reproEpoch is every entry's time unless a variant changes it.
var reproEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

type reproEntry struct {
	hdr  tar.Header
	body []byte
}

// reproTree is the tree every build starts from.
func reproTree() []*reproEntry {
	app := make([]byte, 10000)
	for i := range app {
		app[i] = byte('a' + i%26)
	}
	dir := func(n string) *reproEntry {
		return &reproEntry{hdr: tar.Header{Name: n, Typeflag: tar.TypeDir, Mode: 0o755}}
	}
	file := func(n string, mode int64, body []byte) *reproEntry {
		return &reproEntry{hdr: tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: mode, Size: int64(len(body))}, body: body}
	}
	return []*reproEntry{
		dir("etc/"),
		file("etc/config", 0o644, []byte("key=value\n")),
		dir("usr/"), dir("usr/bin/"),
		file("usr/bin/app", 0o755, app),
		{hdr: tar.Header{Name: "usr/bin/tool", Typeflag: tar.TypeSymlink, Linkname: "app", Mode: 0o777}},
		dir("usr/share/"), dir("usr/share/doc/"),
		file("usr/share/doc/readme", 0o644, []byte("the app\n")),
	}
}

// reproOpts are the variants of one build.
type reproOpts struct {
	level   int
	gzname  string
	labels  map[string]string
	created time.Time
	drop    []string
	env     []string
}

func cmdReproBuild(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: repro-build KIND OUT [VARIANT...]")
	}
	kind, out := args[0], ts.MkAbs(args[1])
	entries := reproTree()
	opts := reproOpts{level: gzip.BestCompression, labels: map[string]string{"org.opencontainers.image.source": "https://example.test/app"}, created: reproEpoch}
	find := func(p string) *reproEntry {
		for _, e := range entries {
			if strings.TrimSuffix(e.hdr.Name, "/") == strings.TrimSuffix(p, "/") {
				return e
			}
		}
		ts.Fatalf("repro-build: no entry %s", p)
		return nil
	}
	for _, v := range args[2:] {
		k, val, _ := strings.Cut(v, "=")
		switch k {
		case "mtime":
			find(val).hdr.ModTime = reproEpoch.Add(24 * time.Hour)
		case "uid":
			find(val).hdr.Uid = 1000
		case "mode":
			find(val).hdr.Mode = 0o600
		case "xattr":
			find(val).hdr.PAXRecords = map[string]string{"SCHILY.xattr.user.origin": "builder-7"}
		case "byte":
			e := find(val)
			e.body = slices.Clone(e.body)
			e.body[len(e.body)/2] ^= 0x20
		case "extra":
			entries = append(entries, &reproEntry{hdr: tar.Header{Name: val, Typeflag: tar.TypeReg, Mode: 0o644, Size: 6}, body: []byte("cache\n")})
		case "link":
			find(val).hdr.Linkname = "/home/builder/app"
		case "type":
			e := find(val)
			e.hdr.Typeflag, e.hdr.Linkname, e.hdr.Mode, e.hdr.Size, e.body = tar.TypeReg, "", 0o755, 4, []byte("app\n")
		case "order":
			slices.Reverse(entries)
		case "gzname":
			opts.gzname = val
		case "level":
			n, err := strconv.Atoi(val)
			ts.Check(err)
			opts.level = n
		case "label":
			lk, lv, _ := strings.Cut(val, "=")
			opts.labels[lk] = lv
		case "created":
			t, err := time.Parse(time.RFC3339, val)
			ts.Check(err)
			opts.created = t
		case "env":
			opts.env = append(opts.env, val)
		case "drop":
			opts.drop = append(opts.drop, val)
		default:
			ts.Fatalf("repro-build: unknown variant %q", v)
		}
	}
	for _, e := range entries {
		if e.hdr.ModTime.IsZero() {
			e.hdr.ModTime = reproEpoch
		}
		e.hdr.Format = tar.FormatPAX
	}
	ts.Check(os.MkdirAll(filepath.Dir(out), 0o755))
	switch kind {
	case "tar":
		ts.Check(os.WriteFile(out, reproTar(ts, entries), 0o644))
	case "tar.gz":
		ts.Check(os.WriteFile(out, reproGzip(ts, reproTar(ts, entries), opts), 0o644))
	case "zip":
		ts.Check(os.WriteFile(out, reproZip(ts, entries), 0o644))
	case "dir":
		for _, e := range entries {
			p := filepath.Join(out, e.hdr.Name)
			switch e.hdr.Typeflag {
			case tar.TypeDir:
				ts.Check(os.MkdirAll(p, 0o755))
			case tar.TypeSymlink:
				ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
				ts.Check(os.Symlink(e.hdr.Linkname, p))
			default:
				ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
				ts.Check(os.WriteFile(p, e.body, 0o644))
				ts.Check(os.Chmod(p, os.FileMode(e.hdr.Mode)))
			}
		}
	case "layout":
		reproLayout(ts, out, entries, opts)
	default:
		ts.Fatalf("repro-build: unknown kind %q", kind)
	}
}

func reproTar(ts *testscript.TestScript, entries []*reproEntry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := e.hdr
		ts.Check(tw.WriteHeader(&h))
		_, err := tw.Write(e.body)
		ts.Check(err)
	}
	ts.Check(tw.Close())
	return buf.Bytes()
}

func reproGzip(ts *testscript.TestScript, b []byte, opts reproOpts) []byte {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, opts.level)
	ts.Check(err)
	zw.Name = opts.gzname
	_, err = zw.Write(b)
	ts.Check(err)
	ts.Check(zw.Close())
	return buf.Bytes()
}

func reproZip(ts *testscript.TestScript, entries []*reproEntry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		fh := &zip.FileHeader{Name: e.hdr.Name, Modified: e.hdr.ModTime, Method: zip.Deflate}
		mode := os.FileMode(e.hdr.Mode)
		switch e.hdr.Typeflag {
		case tar.TypeDir:
			mode |= os.ModeDir
		case tar.TypeSymlink:
			mode |= os.ModeSymlink
		}
		fh.SetMode(mode)
		w, err := zw.CreateHeader(fh)
		ts.Check(err)
		body := e.body
		if e.hdr.Typeflag == tar.TypeSymlink {
			body = []byte(e.hdr.Linkname)
		}
		_, err = w.Write(body)
		ts.Check(err)
	}
	ts.Check(zw.Close())
	return buf.Bytes()
}

func reproLayout(ts *testscript.TestScript, out string, entries []*reproEntry, opts reproOpts) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range []string{"amd64", "arm64"} {
		platform := "linux/" + arch
		if slices.Contains(opts.drop, platform) {
			continue
		}
		gz := reproGzip(ts, reproTar(ts, entries), opts)
		layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(gz)), nil },
			tarball.WithMediaType(types.OCILayer))
		ts.Check(err)
		img := mutate.MediaType(mutate.ConfigMediaType(empty.Image, types.OCIConfigJSON), types.OCIManifestSchema1)
		img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{Created: v1.Time{Time: opts.created}, CreatedBy: "repro-build", Comment: "app"}})
		ts.Check(err)
		cf, err := img.ConfigFile()
		ts.Check(err)
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture, cf.Created = "linux", arch, v1.Time{Time: opts.created}
		cf.Config.Env = append([]string{"PATH=/usr/bin"}, opts.env...)
		cf.Config.Entrypoint = []string{"/usr/bin/app"}
		cf.Config.Labels = opts.labels
		img, err = mutate.ConfigFile(img, cf)
		ts.Check(err)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	_, err := layout.Write(out, idx)
	ts.Check(err)
}

func cmdReproPush(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: repro-push DIR REF")
	}
	idx, err := layout.ImageIndexFromPath(ts.MkAbs(args[0]))
	ts.Check(err)
	ref, err := name.ParseReference(args[1])
	ts.Check(err)
	ts.Check(remote.WriteIndex(ref, idx))
	d, err := idx.Digest()
	ts.Check(err)
	ts.Setenv("PUSHED_DIGEST", d.String())
}

func cmdReproGobin(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 || len(args) == 3 && args[2] != "-trimpath" {
		ts.Fatalf("usage: repro-gobin OUT VALUE [-trimpath]")
	}
	src := filepath.Join(ts.Getenv("WORK"), ".gobin-src")
	ts.Check(os.MkdirAll(src, 0o755))
	ts.Check(os.WriteFile(filepath.Join(src, "go.mod"), []byte("module example.test/app\n\ngo 1.22\n"), 0o644))
	ts.Check(os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\n\nvar version = \"dev\"\n\nfunc main() { println(version) }\n"), 0o644))
	cmdArgs := []string{"build", "-buildvcs=false", "-ldflags=-X main.version=" + args[1]}
	if len(args) == 3 {
		cmdArgs = append(cmdArgs, "-trimpath")
	}
	cmdArgs = append(cmdArgs, "-o", ts.MkAbs(args[0]), ".")
	cmd := exec.Command("go", cmdArgs...)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOWORK=off", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		ts.Fatalf("repro-gobin: %v\n%s", err, out)
	}
}

// cmdTamperBlob rewrites the largest blob of an OCI layout (a layer) with
// one byte changed near its end, keeping its name.
func cmdTamperBlob(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tamper-blob LAYOUT")
	}
	dir := filepath.Join(ts.MkAbs(args[0]), "blobs", "sha256")
	ents, err := os.ReadDir(dir)
	ts.Check(err)
	var biggest string
	var size int64
	for _, e := range ents {
		fi, err := e.Info()
		ts.Check(err)
		if fi.Size() > size {
			biggest, size = e.Name(), fi.Size()
		}
	}
	p := filepath.Join(dir, biggest)
	b, err := os.ReadFile(p)
	ts.Check(err)
	b[len(b)-20] ^= 0xff
	ts.Check(os.WriteFile(p, b, 0o644))
}

// cmdRmBlob removes the blob of the first manifest an OCI layout's index
// names.
func cmdRmBlob(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || args[1] != "manifest" {
		ts.Fatalf("usage: rm-blob LAYOUT manifest")
	}
	idx, err := layout.ImageIndexFromPath(ts.MkAbs(args[0]))
	ts.Check(err)
	im, err := idx.IndexManifest()
	ts.Check(err)
	d := im.Manifests[0].Digest
	ts.Check(os.Remove(filepath.Join(ts.MkAbs(args[0]), "blobs", d.Algorithm, d.Hex)))
}
