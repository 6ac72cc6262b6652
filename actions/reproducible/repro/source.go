package repro

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
)

// registryPrefix marks an image in a registry, as skopeo and action.yml
// image fields write it.
const registryPrefix = "docker://"

// kind is what a side of the comparison is.
type kind int

const (
	kindFile kind = iota
	kindTar
	kindTarGz
	kindZip
	kindDir
	kindLayout
	kindRegistry
)

func (k kind) String() string {
	return [...]string{"file", "tar archive", "tar.gz archive", "zip archive", "folder", "OCI image layout", "image in a registry"}[k]
}

// source is one side: an input's value resolved to what it names.
type source struct {
	input, value string
	kind         kind
	// root holds the file (its name inside the root is name), or is the
	// folder or layout itself (name ".").
	root *fsroot.Root
	name string
	ref  name.Reference
	// size of a file, for zip.
	size int64
}

// resolve reads an input: an image reference after docker://, else a path
// in the workspace whose kind is told by what it holds.
func resolve(in *gate.Inputs, input string) (*source, error) {
	value := strings.TrimSpace(in.String(input))
	s := &source{input: input, value: value}
	if ref, ok := strings.CutPrefix(value, registryPrefix); ok {
		r, err := name.ParseReference(ref, name.StrictValidation)
		if err != nil {
			return nil, &gate.InputError{Input: input, Value: value, Problem: "is not an image reference: " + err.Error(), Err: err}
		}
		s.kind, s.ref = kindRegistry, r
		return s, nil
	}
	if strings.ContainsAny(value, "\x00\n\r") {
		return nil, &gate.InputError{Input: input, Value: value, Problem: "contains a line break or NUL, which no file name here should"}
	}
	rel, err := in.Workspace().Name(value)
	if err != nil {
		return nil, gate.FileInputError(input, value, err)
	}
	ws := in.Workspace()
	fi, err := ws.Stat(rel)
	if err != nil {
		return nil, gate.FileInputError(input, value, err)
	}
	if fi.IsDir() {
		sub, err := ws.Sub(rel)
		if err != nil {
			return nil, gate.FileInputError(input, value, err)
		}
		s.root, s.name, s.kind = sub, ".", kindDir
		if _, err := sub.Stat("oci-layout"); err == nil {
			s.kind = kindLayout
		}
		return s, nil
	}
	s.root, s.name = ws, rel
	f, fi, err := ws.OpenRegular(rel)
	if err != nil {
		return nil, gate.FileInputError(input, value, err)
	}
	defer f.Close()
	s.size = fi.Size()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, gate.FileInputError(input, value, err)
	}
	s.kind = sniff(head[:n], f)
	return s, nil
}

// sniff tells a file's kind from its first bytes.
func sniff(head []byte, f io.ReadSeeker) kind {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return kindZip
	case isTar(head):
		return kindTar
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return kindFile
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			return kindFile
		}
		inner := make([]byte, 512)
		n, _ := io.ReadFull(zr, inner)
		if isTar(inner[:n]) {
			return kindTarGz
		}
	}
	return kindFile
}

// isTar recognizes a ustar, pax or GNU tar header block.
func isTar(b []byte) bool {
	if len(b) < 512 {
		return false
	}
	_, err := tar.NewReader(bytes.NewReader(b)).Next()
	return err == nil || errors.Is(err, io.ErrUnexpectedEOF) && bytes.HasPrefix(b[257:], []byte("ustar"))
}

// open opens the source's file from its start.
func (s *source) open() (io.ReadSeekCloser, error) {
	f, _, err := s.root.OpenRegular(s.name)
	return f, err
}

// display names the source in messages: its path or reference.
func (s *source) display() string { return s.value }
