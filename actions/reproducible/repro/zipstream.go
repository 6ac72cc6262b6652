package repro

import (
	"archive/tar"
	"archive/zip"
	"io"
	"io/fs"
)

// zipStream reads a zip archive in the order of its central directory.
type zipStream struct {
	files  []*zip.File
	i      int
	cur    io.ReadCloser
	closer io.Closer
}

func newZipStream(ra io.ReaderAt, size int64, c io.Closer) (*zipStream, error) {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, err
	}
	return &zipStream{files: zr.File, closer: c}, nil
}

func (s *zipStream) next() (*entry, io.Reader, error) {
	if s.cur != nil {
		s.cur.Close()
		s.cur = nil
	}
	if s.i >= len(s.files) {
		return nil, nil, io.EOF
	}
	f := s.files[s.i]
	s.i++
	m := f.Mode()
	e := &entry{name: f.Name, mode: int64(m.Perm()), mtime: f.Modified.UTC(), size: int64(f.UncompressedSize64), hasTime: true}
	switch {
	case m.IsDir():
		e.typ = tar.TypeDir
	case m&fs.ModeSymlink != 0:
		e.typ = tar.TypeSymlink
	default:
		e.typ = tar.TypeReg
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, err
	}
	s.cur = rc
	if e.typ == tar.TypeSymlink {
		b, err := io.ReadAll(io.LimitReader(rc, 4096))
		if err != nil {
			return nil, nil, err
		}
		e.link, e.size = string(b), 0
		return e, eofReader{}, nil
	}
	return e, rc, nil
}

func (s *zipStream) close() error {
	if s.cur != nil {
		s.cur.Close()
	}
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// eofReader is an empty entry's content.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
