package repro

import (
	"archive/tar"
	"io"
	"strings"
)

// tarStream reads a tar archive.
type tarStream struct {
	tr     *tar.Reader
	closer io.Closer
}

func newTarStream(r io.Reader, c io.Closer) *tarStream {
	return &tarStream{tr: tar.NewReader(r), closer: c}
}

func (s *tarStream) next() (*entry, io.Reader, error) {
	h, err := s.tr.Next()
	if err != nil {
		return nil, nil, err
	}
	e := &entry{
		name: strings.TrimPrefix(strings.TrimPrefix(h.Name, "./"), "/"), typ: h.Typeflag,
		mode: h.Mode & 0o7777, uid: h.Uid, gid: h.Gid, uname: h.Uname, gname: h.Gname,
		mtime: h.ModTime.UTC(), link: h.Linkname, size: h.Size, hasOwner: true, hasTime: true,
	}
	if e.name == "" {
		e.name = "."
	}
	if e.typ == tar.TypeRegA {
		e.typ = tar.TypeReg
	}
	for k, v := range h.PAXRecords {
		if name, ok := strings.CutPrefix(k, "SCHILY.xattr."); ok {
			if e.xattrs == nil {
				e.xattrs = map[string]string{}
			}
			e.xattrs[name] = v
		}
	}
	return e, s.tr, nil
}

func (s *tarStream) close() error {
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}
