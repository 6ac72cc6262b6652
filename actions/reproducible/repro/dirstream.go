package repro

import (
	"archive/tar"
	"io"
	"io/fs"
	"os"

	"github.com/hubgates/hub/shared/fsroot"
)

// dirStream lists a folder of the workspace in lexical order, through its
// root: links are read as text, never followed. Owners and times are left
// out: two checkouts or build trees never share them, and an archive or an
// image, which does carry them, is compared with them.
type dirStream struct {
	root  *fsroot.Root
	names []string
	i     int
	cur   *os.File
}

func newDirStream(root *fsroot.Root) (*dirStream, error) {
	var names []string
	err := fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != "." {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &dirStream{root: root, names: names}, nil
}

func (s *dirStream) next() (*entry, io.Reader, error) {
	if s.cur != nil {
		s.cur.Close()
		s.cur = nil
	}
	if s.i >= len(s.names) {
		return nil, nil, io.EOF
	}
	name := s.names[s.i]
	s.i++
	fi, err := s.root.Lstat(name)
	if err != nil {
		return nil, nil, err
	}
	e := &entry{name: name, mode: int64(fi.Mode().Perm())}
	if fi.Mode()&fs.ModeSetuid != 0 {
		e.mode |= 0o4000
	}
	if fi.Mode()&fs.ModeSetgid != 0 {
		e.mode |= 0o2000
	}
	if fi.Mode()&fs.ModeSticky != 0 {
		e.mode |= 0o1000
	}
	switch m := fi.Mode(); {
	case m.IsDir():
		e.typ = tar.TypeDir
	case m&fs.ModeSymlink != 0:
		e.typ = tar.TypeSymlink
		if e.link, err = s.root.Readlink(name); err != nil {
			return nil, nil, err
		}
		return e, eofReader{}, nil
	case m.IsRegular():
		e.typ = tar.TypeReg
		f, fi, err := s.root.OpenRegular(name)
		if err != nil {
			return nil, nil, err
		}
		s.cur, e.size = f, fi.Size()
		return e, f, nil
	default:
		e.typ = tar.TypeFifo
	}
	return e, eofReader{}, nil
}

func (s *dirStream) close() error {
	if s.cur != nil {
		s.cur.Close()
	}
	return nil
}
