package repro

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/klauspost/compress/zstd"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// imageSide is one side of an image comparison: where its blobs come from.
type imageSide struct {
	blobs blobs
}

// imageCmp walks two images or indexes down to their layers.
type imageCmp struct {
	ctx    context.Context
	rec    *recorder
	a, b   imageSide
	trees  *treeCmp
	layers int64
}

// mediaTypeOf reads the mediaType a manifest declares, else guesses from
// its shape (an index has manifests, an image a config).
func mediaTypeOf(raw []byte) string {
	var m struct {
		MediaType string          `json:"mediaType"`
		Manifests json.RawMessage `json:"manifests"`
	}
	_ = json.Unmarshal(raw, &m)
	switch {
	case m.MediaType != "":
		return m.MediaType
	case m.Manifests != nil:
		return "application/vnd.oci.image.index.v1+json"
	}
	return "application/vnd.oci.image.manifest.v1+json"
}

func isIndex(mt string) bool {
	return mt == "application/vnd.oci.image.index.v1+json" || mt == "application/vnd.docker.distribution.manifest.list.v2+json"
}

// walk compares two manifests (indexes or images) given as raw bytes.
func (c *imageCmp) walk(where string, rawA, rawB []byte) error {
	if bytes.Equal(rawA, rawB) {
		return nil
	}
	mtA, mtB := mediaTypeOf(rawA), mediaTypeOf(rawB)
	before := c.rec.count()
	var err error
	switch {
	case isIndex(mtA) && isIndex(mtB):
		err = c.index(where, rawA, rawB)
	case !isIndex(mtA) && !isIndex(mtB):
		err = c.image(where, rawA, rawB)
	default:
		c.rec.add(RuleManifestField, where, "mediaType", "media type differs: expected %s, got %s", mtA, mtB)
	}
	if err == nil && c.rec.count() == before {
		// Differing digests are never a pass: say at least where.
		c.rec.add(RuleManifestField, where, "manifest", "the manifests differ only in their encoding (field order, white space, or fields not compared): %d bytes against %d", len(rawA), len(rawB))
	}
	return err
}

// platformKey names an index entry: its platform, else its artifact or
// media type (attestations and referrers).
func platformKey(d v1.Descriptor) string {
	if p := d.Platform; p != nil {
		return p.String()
	}
	if d.ArtifactType != "" {
		return d.ArtifactType
	}
	return string(d.MediaType)
}

func (c *imageCmp) index(where string, rawA, rawB []byte) error {
	var ia, ib v1.IndexManifest
	if err := json.Unmarshal(rawA, &ia); err != nil {
		return fmt.Errorf("reading the expected index: %w", err)
	}
	if err := json.Unmarshal(rawB, &ib); err != nil {
		return fmt.Errorf("reading the actual index: %w", err)
	}
	c.annotations(where, "index", ia.Annotations, ib.Annotations)
	keyed := func(ds []v1.Descriptor) ([]string, map[string]v1.Descriptor) {
		var order []string
		m := map[string]v1.Descriptor{}
		for _, d := range ds {
			k := platformKey(d)
			for n := 2; ; n++ {
				if _, dup := m[k]; !dup {
					break
				}
				k = fmt.Sprintf("%s#%d", platformKey(d), n)
			}
			m[k] = d
			order = append(order, k)
		}
		return order, m
	}
	orderA, ma := keyed(ia.Manifests)
	orderB, mb := keyed(ib.Manifests)
	for _, k := range orderA {
		if _, ok := mb[k]; !ok {
			c.rec.add(RuleIndexPlatform, where, k, "platform %s only in expected (%s)", k, canon(ma[k].Digest))
		}
	}
	for _, k := range orderB {
		if _, ok := ma[k]; !ok {
			c.rec.add(RuleIndexPlatform, where, k, "platform %s only in actual (%s)", k, canon(mb[k].Digest))
		}
	}
	for _, k := range orderA {
		da, db := ma[k], mb[k]
		if _, ok := mb[k]; !ok || da.Digest == db.Digest {
			continue
		}
		c.annotations(within(where, k), "descriptor", da.Annotations, db.Annotations)
		ra, err := c.a.blobs.manifest(c.ctx, da.Digest)
		if err != nil {
			return sideErr("expected", k, err)
		}
		rb, err := c.b.blobs.manifest(c.ctx, db.Digest)
		if err != nil {
			return sideErr("actual", k, err)
		}
		if err := c.walk(within(where, k), ra, rb); err != nil {
			return err
		}
	}
	return nil
}

// sideErr wraps a failure to read one side's manifest or blob.
func sideErr(side, what string, err error) error {
	return &sideError{side: side, err: fmt.Errorf("reading the %s %s: %w", side, what, err)}
}

// sideError is a failure to read one side; the gate maps it to the input.
type sideError struct {
	side string
	err  error
}

func (e *sideError) Error() string { return e.err.Error() }
func (e *sideError) Unwrap() error { return e.err }

func (c *imageCmp) annotations(where, what string, a, b map[string]string) {
	for _, k := range keys(a, b) {
		if a[k] != b[k] {
			c.rec.add(RuleManifestField, where, "annotations."+k, "%s annotation %s differs: expected %s, got %s", what, k, show(a[k]), show(b[k]))
		}
	}
}

func (c *imageCmp) image(where string, rawA, rawB []byte) error {
	var ma, mb v1.Manifest
	if err := json.Unmarshal(rawA, &ma); err != nil {
		return fmt.Errorf("reading the expected manifest: %w", err)
	}
	if err := json.Unmarshal(rawB, &mb); err != nil {
		return fmt.Errorf("reading the actual manifest: %w", err)
	}
	if ma.MediaType != mb.MediaType {
		c.rec.add(RuleManifestField, where, "mediaType", "manifest media type differs: expected %s, got %s", ma.MediaType, mb.MediaType)
	}
	c.annotations(where, "manifest", ma.Annotations, mb.Annotations)
	// The configs are read even when equal: their diff_ids tell a layer
	// that differs only in compression.
	cfgA, err := smallBlob(c.ctx, c.a.blobs, ma.Config.Digest)
	if err != nil {
		return sideErr("expected", "config", err)
	}
	cfgB, err := smallBlob(c.ctx, c.b.blobs, mb.Config.Digest)
	if err != nil {
		return sideErr("actual", "config", err)
	}
	if ma.Config.Digest != mb.Config.Digest {
		before := c.rec.count()
		if err := c.config(where, cfgA, cfgB); err != nil {
			return err
		}
		if c.rec.count() == before {
			c.rec.add(RuleConfigField, within(where, "config"), "config", "the configs differ only in their encoding (field order or white space): %s against %s", canon(ma.Config.Digest), canon(mb.Config.Digest))
		}
	}
	diffA, diffB := diffIDs(cfgA), diffIDs(cfgB)
	if len(ma.Layers) != len(mb.Layers) {
		c.rec.add(RuleManifestField, where, "layers", "number of layers differs: expected %d, got %d", len(ma.Layers), len(mb.Layers))
	}
	for i := range min(len(ma.Layers), len(mb.Layers)) {
		la, lb := ma.Layers[i], mb.Layers[i]
		if la.Digest == lb.Digest {
			continue
		}
		lw := within(where, fmt.Sprintf("layer %d", i+1))
		if la.MediaType != lb.MediaType {
			c.rec.add(RuleManifestField, lw, "layers", "media type differs: expected %s, got %s", la.MediaType, lb.MediaType)
		}
		if i < len(diffA) && i < len(diffB) && diffA[i] == diffB[i] {
			c.rec.add(RuleManifestField, lw, "layers", "compressed layers differ (%s, %s) but their content is the same (%s): another compression level or implementation",
				canon(la.Digest), canon(lb.Digest), canon(diffA[i]))
			continue
		}
		c.layers++
		t := &treeCmp{ctx: c.ctx, rec: c.rec, where: lw}
		before := c.rec.count()
		err := t.compareTrees(c.layerOpener(c.a, la), c.layerOpener(c.b, lb))
		c.trees.entries += t.entries
		c.trees.bytes += t.bytes
		if err != nil {
			return err
		}
		if c.rec.count() == before {
			c.rec.add(RuleManifestField, lw, "layers", "the layers differ (%s, %s) in bytes their tar entries do not show: tar header format, padding or end-of-archive blocks", canon(la.Digest), canon(lb.Digest))
		}
	}
	return nil
}

// diffIDs reads rootfs.diff_ids from a config, nil when it has none.
func diffIDs(cfg []byte) []v1.Hash {
	var f v1.ConfigFile
	if json.Unmarshal(cfg, &f) != nil {
		return nil
	}
	return f.RootFS.DiffIDs
}

// layerOpener opens a layer's blob, verified against its digest, as a
// stream of tar entries, decompressed according to what it starts with
// (gzip, zstd or plain tar): media types lie more often than magic.
func (c *imageCmp) layerOpener(side imageSide, d v1.Descriptor) opener {
	return func() (stream, error) {
		rc, err := side.blobs.blob(c.ctx, d.Digest)
		if err != nil {
			return nil, err
		}
		r, err := decompress(rc)
		if err != nil {
			rc.Close()
			return nil, err
		}
		return newTarStream(r, drainCloser{r: r, rc: rc}), nil
	}
}

// decompress returns the uncompressed stream of a layer.
func decompress(rc io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(rc, 64<<10)
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return gzip.NewReader(br)
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return zr.IOReadCloser(), nil
	}
	return br, nil
}

// drainCloser reads a layer to its end before closing it, so that the
// digest of everything is checked even when the tar ended early.
type drainCloser struct {
	r  io.Reader
	rc io.ReadCloser
}

func (d drainCloser) Close() error {
	_, err := io.Copy(io.Discard, d.r)
	if err == nil {
		_, err = io.Copy(io.Discard, d.rc)
	}
	if c, ok := d.r.(io.Closer); ok {
		c.Close()
	}
	d.rc.Close()
	return err
}

// config compares two image configurations field by field.
func (c *imageCmp) config(where string, rawA, rawB []byte) error {
	var a, b map[string]json.RawMessage
	if err := json.Unmarshal(rawA, &a); err != nil {
		return fmt.Errorf("reading the expected config: %w", err)
	}
	if err := json.Unmarshal(rawB, &b); err != nil {
		return fmt.Errorf("reading the actual config: %w", err)
	}
	cw := within(where, "config")
	for _, k := range rawKeys(a, b) {
		switch k {
		case "config":
			c.runConfig(cw, a[k], b[k])
		case "history":
			c.list(cw, "history", a[k], b[k])
		case "rootfs":
			var ra, rb struct {
				Type    string   `json:"type"`
				DiffIDs []string `json:"diff_ids"`
			}
			_ = json.Unmarshal(a[k], &ra)
			_ = json.Unmarshal(b[k], &rb)
			if ra.Type != rb.Type {
				c.rec.add(RuleConfigField, cw, "rootfs.type", "rootfs.type differs: expected %q, got %q", ra.Type, rb.Type)
			}
			c.strings(cw, "rootfs.diff_ids", ra.DiffIDs, rb.DiffIDs)
		default:
			c.field(cw, k, a[k], b[k])
		}
	}
	return nil
}

// runConfig compares the container defaults (config.Env, Labels,
// Entrypoint, Cmd ...), env and labels entry by entry.
func (c *imageCmp) runConfig(where string, rawA, rawB json.RawMessage) {
	var a, b map[string]json.RawMessage
	_ = json.Unmarshal(rawA, &a)
	_ = json.Unmarshal(rawB, &b)
	for _, k := range rawKeys(a, b) {
		name := "config." + k
		switch k {
		case "Env":
			var ea, eb []string
			_ = json.Unmarshal(a[k], &ea)
			_ = json.Unmarshal(b[k], &eb)
			va, vb := envMap(ea), envMap(eb)
			for _, v := range keys(va, vb) {
				if va[v] != vb[v] {
					c.rec.add(RuleConfigField, where, name, "%s %s differs: expected %s, got %s", name, v, show(va[v]), show(vb[v]))
				}
			}
			if reflect.DeepEqual(va, vb) && !slices.Equal(ea, eb) {
				c.rec.add(RuleConfigField, where, name, "%s holds the same variables in another order", name)
			}
		case "Labels":
			var la, lb map[string]string
			_ = json.Unmarshal(a[k], &la)
			_ = json.Unmarshal(b[k], &lb)
			for _, l := range keys(la, lb) {
				if la[l] != lb[l] {
					c.rec.add(RuleConfigField, where, name, "%s %s differs: expected %s, got %s", name, l, show(la[l]), show(lb[l]))
				}
			}
		default:
			c.field(where, name, a[k], b[k])
		}
	}
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		m[k] = v
		if v == "" {
			m[k] = "="
		}
	}
	return m
}

// field compares one JSON value, reporting both sides compacted.
func (c *imageCmp) field(where, name string, a, b json.RawMessage) {
	ca, cb := compact(a), compact(b)
	if ca != cb {
		c.rec.add(RuleConfigField, where, name, "%s differs: expected %s, got %s", name, orAbsent(ca), orAbsent(cb))
	}
}

// list compares a JSON array item by item (history).
func (c *imageCmp) list(where, name string, a, b json.RawMessage) {
	var la, lb []json.RawMessage
	_ = json.Unmarshal(a, &la)
	_ = json.Unmarshal(b, &lb)
	if len(la) != len(lb) {
		c.rec.add(RuleConfigField, where, name, "%s has %d entries in expected, %d in actual", name, len(la), len(lb))
	}
	for i := range min(len(la), len(lb)) {
		c.field(where, fmt.Sprintf("%s[%d]", name, i), la[i], lb[i])
	}
}

func (c *imageCmp) strings(where, name string, a, b []string) {
	if len(a) != len(b) {
		c.rec.add(RuleConfigField, where, name, "%s has %d entries in expected, %d in actual", name, len(a), len(b))
	}
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			c.rec.add(RuleConfigField, where, name, "%s[%d] differs: expected %s, got %s", name, i, canonString(a[i]), canonString(b[i]))
		}
	}
}

func compact(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return string(raw)
	}
	return buf.String()
}

func orAbsent(s string) string {
	if s == "" {
		return "(absent)"
	}
	const max = 200
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

func rawKeys(a, b map[string]json.RawMessage) []string {
	ka, kb := map[string]string{}, map[string]string{}
	for k := range a {
		ka[k] = ""
	}
	for k := range b {
		kb[k] = ""
	}
	return keys(ka, kb)
}
