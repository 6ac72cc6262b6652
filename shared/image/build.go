package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The paths and modes inside every gate image.
const (
	// Entrypoint is the path of the gate binary in the image.
	Entrypoint = "/gate"
	// BinaryMode is the mode of Entrypoint.
	BinaryMode = 0o755
	// TmpMode is the mode of the empty /tmp directory: world-writable with
	// the sticky bit, as on any Linux system.
	TmpMode = 0o1777
)

// The OCI annotation keys the image config carries as labels.
const (
	LabelTitle    = "org.opencontainers.image.title"
	LabelVersion  = "org.opencontainers.image.version"
	LabelRevision = "org.opencontainers.image.revision"
	LabelSource   = "org.opencontainers.image.source"
)

// Build returns the OCI image index of one gate: one image per platform in
// opts.Platforms (sorted), each a single layer holding the platform's binary
// at /gate and an empty /tmp, with entrypoint ["/gate"], no user, and the
// OCI title, version, revision and source labels. The index, the manifests,
// the configs and the layers all use OCI media types, and the index
// descriptors carry the platforms.
//
// The result is reproducible: equal binaries and options give an equal index
// digest. The binaries are read into memory when Build runs.
func Build(ctx context.Context, opts Options) (v1.ImageIndex, error) {
	o, err := opts.normalized()
	if err != nil {
		return nil, fmt.Errorf("build image: %w", err)
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var adds []mutate.IndexAddendum
	for _, p := range o.Platforms {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("build image %s: %w", o.Gate, err)
		}
		spec, _ := lookupPlatform(p) // validated by normalized
		img, err := buildImage(o, spec, p)
		if err != nil {
			return nil, fmt.Errorf("build image %s for %s: %w", o.Gate, p, err)
		}
		plat := spec.v1()
		adds = append(adds, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &plat},
		})
	}
	idx = mutate.AppendManifests(idx, adds...)
	// Compute the digest now so that errors surface here, not in a writer.
	if _, err := idx.Digest(); err != nil {
		return nil, fmt.Errorf("build image %s: %w", o.Gate, err)
	}
	return idx, nil
}

func buildImage(o Options, spec platformSpec, platform string) (v1.Image, error) {
	bin, err := readBinary(o.Binaries[platform])
	if err != nil {
		return nil, err
	}
	files := []layerFile{{name: Entrypoint[1:], data: bin}}
	for _, e := range o.Extras {
		b, err := readBinary(e.Binaries[platform])
		if err != nil {
			return nil, fmt.Errorf("extra binary %s: %w", e.Path, err)
		}
		files = append(files, layerFile{name: e.Path[1:], data: b})
	}
	layerBytes, err := layerTarGzip(files, o.Created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerBytes)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}

	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, MediaType: types.OCILayer})
	if err != nil {
		return nil, fmt.Errorf("append layer: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cf = cf.DeepCopy()
	created := v1.Time{Time: o.Created}
	cf.OS = spec.os
	cf.Architecture = spec.arch
	cf.Variant = spec.variant
	cf.Created = created
	cf.Author = ""
	cf.Container = ""
	cf.DockerVersion = ""
	labels := map[string]string{
		LabelTitle:   o.Gate,
		LabelVersion: o.Version,
		LabelSource:  "https://github.com/" + o.Owner + "/hub",
	}
	if o.Revision != "" {
		labels[LabelRevision] = o.Revision
	}
	cf.Config = v1.Config{
		Entrypoint: []string{Entrypoint},
		Labels:     labels, // encoding/json sorts map keys
	}
	cf.History = []v1.History{{
		Created:   created,
		CreatedBy: "hub-image: /gate and /tmp for " + o.Gate + " " + o.Version,
	}}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("set config: %w", err)
	}
	return img, nil
}

// readBinary reads a built binary, refusing an empty one.
func readBinary(path string) ([]byte, error) {
	if path == "" {
		return nil, errNoBinary
	}
	bin, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read binary: %w", err)
	}
	if len(bin) == 0 {
		return nil, fmt.Errorf("binary %s: %w", path, errNoBinary)
	}
	return bin, nil
}

// layerFile is a binary at the root of the layer.
type layerFile struct {
	name string
	data []byte
}

// LayerTarGzip returns the gzip-compressed tar of a gate image's only layer:
// the entry "gate" (binary, mode 0755) and the empty directory "tmp/" (mode
// 01777), in that (sorted) order, owned by uid and gid 0 with no user or
// group names and with modification time mtime. Equal inputs give equal
// bytes.
func LayerTarGzip(binary []byte, mtime time.Time) ([]byte, error) {
	return layerTarGzip([]layerFile{{name: Entrypoint[1:], data: binary}}, mtime)
}

// layerTarGzip is LayerTarGzip with extra binaries at the root: every
// file (mode 0755) and "tmp/", sorted by name.
func layerTarGzip(files []layerFile, mtime time.Time) ([]byte, error) {
	if err := ValidateCreated(mtime); err != nil {
		return nil, err
	}
	mtime = mtime.UTC()
	var tarBuf bytes.Buffer
	tw := tar.NewWriter(&tarBuf)
	type entry struct {
		h    *tar.Header
		data []byte
	}
	entries := []entry{{h: &tar.Header{Typeflag: tar.TypeDir, Name: "tmp/", Mode: TmpMode, ModTime: mtime, Format: tar.FormatUSTAR}}}
	for _, f := range files {
		entries = append(entries, entry{h: &tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: BinaryMode, Size: int64(len(f.data)), ModTime: mtime, Format: tar.FormatUSTAR}, data: f.data})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.h.Name, b.h.Name) })
	for _, e := range entries {
		if err := tw.WriteHeader(e.h); err != nil {
			return nil, fmt.Errorf("layer tar entry %s: %w", e.h.Name, err)
		}
		if e.h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				return nil, fmt.Errorf("layer tar entry %s: %w", e.h.Name, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("layer tar: %w", err)
	}

	var gzBuf bytes.Buffer
	// An empty header (no name, no mtime, OS "unknown") and a fixed level:
	// compress/gzip is deterministic for equal input and Go version.
	zw, err := gzip.NewWriterLevel(&gzBuf, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("layer gzip: %w", err)
	}
	if _, err := zw.Write(tarBuf.Bytes()); err != nil {
		return nil, fmt.Errorf("layer gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("layer gzip: %w", err)
	}
	return gzBuf.Bytes(), nil
}
