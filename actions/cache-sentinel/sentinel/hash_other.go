//go:build !unix

package sentinel

import (
	"errors"
	"io"
	"os"
)

// hashFile is the portable fallback of the Unix implementation: it opens
// abs (without the no-follow guarantee, which only Unix offers), checks it
// is a regular file and streams it into the hash.
func (h *hasher) hashFile(abs string, check func(stat) error) (st stat, sum [32]byte, err error) {
	fi, err := os.Lstat(abs)
	if err != nil {
		return st, sum, err
	}
	st = stat{size: fi.Size(), mode: fi.Mode()}
	if !fi.Mode().IsRegular() {
		return st, sum, errNotRegular
	}
	if check != nil {
		if err := check(st); err != nil {
			return st, sum, err
		}
	}
	f, err := os.Open(abs)
	if err != nil {
		return st, sum, err
	}
	defer f.Close()
	h.h.Reset()
	n, err := io.CopyBuffer(h.h, f, h.buf)
	if err == nil && n < st.size {
		err = errShrank
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return st, h.sum(), err
}
