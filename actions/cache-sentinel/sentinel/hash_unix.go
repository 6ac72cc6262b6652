//go:build unix

package sentinel

import (
	"io/fs"
	"syscall"

	"github.com/zeebo/blake3"
)

// hashFile opens abs without following a symbolic link in its last
// component and without blocking on a FIFO, checks it is a regular file,
// and hashes it. check, when set, sees the file's stat before any byte is
// read and may refuse it (a size that differs from the manifest needs no
// hashing). It uses the system calls directly: os.File would add an fstat
// and a poller registration to every small file, and a cache is mostly
// small files.
func (h *hasher) hashFile(abs string, check func(stat) error) (st stat, sum [32]byte, err error) {
	fd, err := openNoFollow(abs)
	if err != nil {
		return st, sum, err
	}
	defer syscall.Close(fd)
	var s syscall.Stat_t
	if err := fstat(fd, &s); err != nil {
		return st, sum, err
	}
	st = stat{size: s.Size, mode: fileMode(uint32(s.Mode))}
	if !st.mode.IsRegular() {
		return st, sum, errNotRegular
	}
	if check != nil {
		if err := check(st); err != nil {
			return st, sum, err
		}
	}
	sum, err = h.hashFD(fd, st.size)
	return st, sum, err
}

func openNoFollow(abs string) (int, error) {
	for {
		fd, err := syscall.Open(abs, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return -1, &fs.PathError{Op: "open", Path: abs, Err: err}
		}
		return fd, nil
	}
}

func fstat(fd int, s *syscall.Stat_t) error {
	for {
		err := syscall.Fstat(fd, s)
		if err != syscall.EINTR {
			return err
		}
	}
}

func read(fd int, p []byte) (int, error) {
	for {
		n, err := syscall.Read(fd, p)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// fileMode converts a raw st_mode to io/fs form.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	case syscall.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		mode |= fs.ModeSocket
	case syscall.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		mode |= fs.ModeDevice
	}
	if m&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// hashFD hashes the open file fd of the given size to its end. Small
// files are read whole with one read(2) (a short read at the expected size
// is end of file on a regular file) and hashed in one shot; larger ones
// stream through the worker's buffer, which stays in the CPU cache. Hashing
// through mmap(2) was measured no faster on page-cache data (TLB misses on
// 4 KiB pages cost what the copy saves) and risks SIGBUS, so it is not used.
func (h *hasher) hashFD(fd int, size int64) ([32]byte, error) {
	var head int
	if size > 0 && size < int64(len(h.buf)) {
		n, err := read(fd, h.buf[:size+1])
		if err != nil {
			return [32]byte{}, err
		}
		if int64(n) == size {
			return blake3.Sum256(h.buf[:n]), nil
		}
		// read(2) returned less than the size, or the file grew: stream
		// the rest.
		head = n
	}
	h.h.Reset()
	h.h.Write(h.buf[:head])
	total := int64(head)
	for {
		n, err := read(fd, h.buf)
		if err != nil {
			return [32]byte{}, err
		}
		if n == 0 {
			break
		}
		h.h.Write(h.buf[:n])
		total += int64(n)
	}
	if total < size {
		return [32]byte{}, errShrank
	}
	return h.sum(), nil
}
