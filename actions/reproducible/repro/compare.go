package repro

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/fsroot"
)

// outcome is what a comparison found.
type outcome struct {
	digA, digB string // canonical digests of both sides ("" for folders)
	identical  bool   // equal digests: nothing was walked
	rec        *recorder
	entries    int64
	bytes      int64
	layers     int64
}

// comparison compares two resolved sources.
type comparison struct {
	ctx     context.Context
	a, b    *source
	limit   int
	timeout time.Duration
}

func (c *comparison) run() (*outcome, error) {
	out := &outcome{rec: &recorder{limit: c.limit}}
	switch c.a.kind {
	case kindLayout, kindRegistry:
		return out, c.images(out)
	case kindDir:
		t := &treeCmp{ctx: c.ctx, rec: out.rec}
		err := t.compareTrees(dirOpener(c.a.root), dirOpener(c.b.root))
		out.entries, out.bytes = t.entries, t.bytes
		// A folder has no digest of its own: alike entry by entry is the
		// same build.
		out.identical = err == nil && out.rec.count() == 0
		return out, err
	}
	// A file of any kind: equal digests pass at once.
	da, err := fileDigest(c.a)
	if err != nil {
		return nil, &sideError{side: "expected", err: err}
	}
	db, err := fileDigest(c.b)
	if err != nil {
		return nil, &sideError{side: "actual", err: err}
	}
	out.digA, out.digB = da.String(), db.String()
	if da == db {
		out.identical = true
		return out, nil
	}
	t := &treeCmp{ctx: c.ctx, rec: out.rec}
	defer func() { out.entries, out.bytes = t.entries, t.bytes }()
	switch c.a.kind {
	case kindFile:
		return out, c.files(t)
	case kindTar:
		if err := t.compareTrees(tarOpener(c.a, false), tarOpener(c.b, false)); err != nil {
			return nil, err
		}
		if out.rec.count() == 0 {
			out.rec.add(RuleArchiveHeader, "", "tar", "the tar files differ in bytes their entries do not show: tar header format, padding or end-of-archive blocks")
		}
	case kindTarGz:
		if err := c.gzipHeaders(out.rec); err != nil {
			return nil, err
		}
		if err := t.compareTrees(tarOpener(c.a, true), tarOpener(c.b, true)); err != nil {
			return nil, err
		}
		if out.rec.count() == 0 {
			out.rec.add(RuleArchiveHeader, "", "gzip", "the compressed streams differ but the tar archives inside are the same: another compression level or implementation")
		}
		return out, nil
	case kindZip:
		if err := t.compareTrees(zipOpener(c.a), zipOpener(c.b)); err != nil {
			return nil, err
		}
		if out.rec.count() == 0 {
			out.rec.add(RuleArchiveHeader, "", "zip", "the zip files differ but every entry's header and content are the same: compression, extra fields or comments differ")
		}
	}
	return out, nil
}

func fileDigest(s *source) (digest.Digest, error) {
	f, err := s.open()
	if err != nil {
		return digest.Digest{}, err
	}
	defer f.Close()
	d, _, err := digest.FromReader(digest.SHA256, f)
	return d, err
}

// files compares two plain files as one entry named by the actual input.
func (c *comparison) files(t *treeCmp) error {
	fa, err := c.a.open()
	if err != nil {
		return &sideError{side: "expected", err: err}
	}
	defer fa.Close()
	fb, err := c.b.open()
	if err != nil {
		return &sideError{side: "actual", err: err}
	}
	defer fb.Close()
	res, err := compareContent(fa, fb)
	if err != nil {
		return err
	}
	t.entries, t.bytes, t.single = 1, res.sizeA+res.sizeB, true
	t.reportContent(c.b.name, res)
	return nil
}

// gzipHeaders compares the gzip headers of two tar.gz files.
func (c *comparison) gzipHeaders(rec *recorder) error {
	header := func(s *source) (gzip.Header, error) {
		f, err := s.open()
		if err != nil {
			return gzip.Header{}, err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return gzip.Header{}, err
		}
		return zr.Header, nil
	}
	ha, err := header(c.a)
	if err != nil {
		return &sideError{side: "expected", err: err}
	}
	hb, err := header(c.b)
	if err != nil {
		return &sideError{side: "actual", err: err}
	}
	if !ha.ModTime.Equal(hb.ModTime) {
		rec.add(RuleArchiveHeader, "", "gzip.mtime", "gzip header mtime differs: expected %s, got %s", gzTime(ha.ModTime), gzTime(hb.ModTime))
	}
	if ha.Name != hb.Name {
		rec.add(RuleArchiveHeader, "", "gzip.name", "gzip header file name differs: expected %s, got %s", show(ha.Name), show(hb.Name))
	}
	if ha.Comment != hb.Comment {
		rec.add(RuleArchiveHeader, "", "gzip.comment", "gzip header comment differs: expected %s, got %s", show(ha.Comment), show(hb.Comment))
	}
	if ha.OS != hb.OS {
		rec.add(RuleArchiveHeader, "", "gzip.os", "gzip header OS differs: expected %d, got %d", ha.OS, hb.OS)
	}
	return nil
}

func gzTime(t time.Time) string {
	if t.IsZero() {
		return "(none)"
	}
	return t.UTC().Format(time.RFC3339)
}

func dirOpener(root *fsroot.Root) opener {
	return func() (stream, error) { return newDirStream(root) }
}

func tarOpener(s *source, gz bool) opener {
	return func() (stream, error) {
		f, err := s.open()
		if err != nil {
			return nil, err
		}
		if !gz {
			return newTarStream(f, f), nil
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, err
		}
		return newTarStream(zr, f), nil
	}
}

func zipOpener(s *source) opener {
	return func() (stream, error) {
		f, err := s.open()
		if err != nil {
			return nil, err
		}
		ra, ok := f.(io.ReaderAt)
		if !ok {
			f.Close()
			return nil, errors.New("zip needs random access")
		}
		zs, err := newZipStream(ra, s.size, f)
		if err != nil {
			f.Close()
			return nil, err
		}
		return zs, nil
	}
}

// images compares two images or indexes: equal root digests pass at once.
func (c *comparison) images(out *outcome) error {
	ctx := c.ctx
	if c.a.kind == kindRegistry || c.b.kind == kindRegistry {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	rootA, sideA, err := c.imageRoot(ctx, c.a)
	if err != nil {
		return &sideError{side: "expected", err: err}
	}
	rootB, sideB, err := c.imageRoot(ctx, c.b)
	if err != nil {
		return &sideError{side: "actual", err: err}
	}
	ha, _, _ := v1.SHA256(bytesReader(rootA))
	hb, _, _ := v1.SHA256(bytesReader(rootB))
	out.digA, out.digB = canon(ha), canon(hb)
	if ha == hb {
		out.identical = true
		return nil
	}
	ic := &imageCmp{ctx: ctx, rec: out.rec, a: sideA, b: sideB, trees: &treeCmp{}}
	err = ic.walk("", rootA, rootB)
	out.entries, out.bytes, out.layers = ic.trees.entries, ic.trees.bytes, ic.layers
	if err != nil && ctx.Err() != nil && c.ctx.Err() == nil {
		return fmt.Errorf("the registry did not answer within the timeout input (%s): %w", c.timeout, err)
	}
	return err
}

// imageRoot reads the top manifest of an image source: a layout's
// index.json, or what the reference names in the registry (verified when
// it names a digest).
func (c *comparison) imageRoot(ctx context.Context, s *source) ([]byte, imageSide, error) {
	if s.kind == kindLayout {
		raw, err := s.root.ReadFile("index.json", maxManifest)
		if err != nil {
			return nil, imageSide{}, err
		}
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(raw, &probe); err != nil {
			return nil, imageSide{}, fmt.Errorf("index.json: %w", err)
		}
		return raw, imageSide{blobs: layoutBlobs{root: s.root}}, nil
	}
	opts := []remote.Option{remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	d, err := remote.Get(s.ref, append(opts, remote.WithContext(ctx))...)
	if err != nil {
		return nil, imageSide{}, err
	}
	return d.Manifest, imageSide{blobs: registryBlobs{repo: s.ref.Context(), opts: opts}}, nil
}
