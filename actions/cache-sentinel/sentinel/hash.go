package sentinel

import (
	"errors"
	"io/fs"

	"github.com/zeebo/blake3"
)

// bufferSize is each worker's read buffer: large enough that zeebo/blake3
// hashes whole 8 KiB batches with its SIMD code and most files take one
// read(2), small enough to stay in the CPU's L2 cache; memory is workers x
// bufferSize whatever the size of the files.
const bufferSize = 256 << 10

// hasher is one worker's hashing state, reused for every file.
type hasher struct {
	buf []byte
	h   *blake3.Hasher
}

func newHasher() *hasher {
	return &hasher{buf: make([]byte, bufferSize), h: blake3.New()}
}

func (h *hasher) sum() (s [32]byte) {
	h.h.Sum(s[:0])
	return s
}

// stat is what opening a file learns about it.
type stat struct {
	size int64
	mode fs.FileMode // type and permission bits in io/fs form
}

// errNotRegular is returned when a path expected to be a regular file is
// something else: it changed under us, or is a symbolic link.
var errNotRegular = errors.New("not a regular file")

// errShrank is returned when a file ends before the size it had when
// opened.
var errShrank = errors.New("file shrank while being read")

// unixMode returns the permission, setuid, setgid and sticky bits of m in
// their Unix octal positions, the form manifests record.
func unixMode(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		u |= 0o1000
	}
	return u
}
