package repro

import (
	"archive/tar"
	"io"
	"time"
)

// entry is one member of a tree: a tar or zip entry, or a file of a folder.
// Fields a format does not carry are left zero and flagged, so a zip entry
// is never reported for lacking an owner.
type entry struct {
	name   string
	typ    byte // tar type flag: tar.TypeReg, TypeDir, TypeSymlink, TypeLink ...
	mode   int64
	uid    int
	gid    int
	uname  string
	gname  string
	mtime  time.Time
	xattrs map[string]string
	link   string
	size   int64

	// hasOwner and hasTime say the format records owners and times.
	hasOwner, hasTime bool
}

// regular reports whether the entry has content to compare.
func (e *entry) regular() bool { return e.typ == tar.TypeReg || e.typ == tar.TypeRegA }

// stream yields a tree's entries in the tree's own order; the reader of an
// entry is valid until the next call.
type stream interface {
	next() (*entry, io.Reader, error) // io.EOF at the end
	close() error
}

// opener opens a tree from its start; a tree is read once to compare and
// again only to explain content that went out of step.
type opener func() (stream, error)

// typeName names a tar type flag in messages.
func typeName(t byte) string {
	switch t {
	case tar.TypeReg, tar.TypeRegA:
		return "regular file"
	case tar.TypeDir:
		return "directory"
	case tar.TypeSymlink:
		return "symbolic link"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "named pipe"
	}
	return "type " + string(rune(t))
}
