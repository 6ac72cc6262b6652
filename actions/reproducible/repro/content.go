package repro

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"github.com/hubgates/hub/shared/digest"
)

// chunkSize is how much of each side is compared at a time.
const chunkSize = 64 << 10

// maxBinary is the largest executable held whole to read its Go build
// information; a larger one is compared as a stream like any file.
const maxBinary = 1 << 30

// contentResult says how two contents compare.
type contentResult struct {
	equal        bool
	sizeA, sizeB int64
	digA, digB   digest.Digest
	offset       int64 // the first differing byte
	exOff        int64 // where the excerpts start
	exA, exB     []byte
	buildinfo    []string // Go build information differences
}

// compareContent reads both contents to the end, hashing them, and finds
// the first differing byte. Both are read in equal chunks, so memory stays
// at two chunks; executables are read whole (bounded by the file's size)
// to compare their Go build information.
func compareContent(a, b io.Reader) (contentResult, error) {
	var res contentResult
	ha, hb := sha256.New(), sha256.New()
	bufA, bufB := make([]byte, chunkSize), make([]byte, chunkSize)
	na, errA := io.ReadFull(a, bufA)
	nb, errB := io.ReadFull(b, bufB)
	if err := readErr(errA, errB); err != nil {
		return res, err
	}
	if isExecutable(bufA[:na]) && isExecutable(bufB[:nb]) {
		wa, err := whole(bufA[:na], a, errA)
		if err != nil {
			return res, err
		}
		wb, err := whole(bufB[:nb], b, errB)
		if err != nil {
			return res, err
		}
		res = compareBytes(wa, wb)
		if !res.equal {
			res.buildinfo = buildinfoDiff(wa, wb)
		}
		return res, nil
	}
	found := false
	var off int64
	for {
		if !found {
			if i := firstDiff(bufA[:na], bufB[:nb]); i >= 0 {
				found = true
				res.offset = off + int64(i)
				res.exOff, res.exA, res.exB = excerpt(off, i, bufA[:na], bufB[:nb])
			}
		}
		ha.Write(bufA[:na])
		hb.Write(bufB[:nb])
		res.sizeA += int64(na)
		res.sizeB += int64(nb)
		off += chunkSize
		doneA, doneB := errA != nil, errB != nil
		if doneA && doneB {
			break
		}
		na, nb = 0, 0
		if !doneA {
			na, errA = io.ReadFull(a, bufA)
		}
		if !doneB {
			nb, errB = io.ReadFull(b, bufB)
		}
		if err := readErr(errA, errB); err != nil {
			return res, err
		}
	}
	res.digA, res.digB = sum(ha), sum(hb)
	res.equal = !found
	return res, nil
}

// compareBytes compares two contents held whole.
func compareBytes(a, b []byte) contentResult {
	res := contentResult{sizeA: int64(len(a)), sizeB: int64(len(b)),
		digA: digest.FromBytes(digest.SHA256, a), digB: digest.FromBytes(digest.SHA256, b)}
	i := firstDiff(a, b)
	if i < 0 {
		res.equal = true
		return res
	}
	res.offset = int64(i)
	res.exOff, res.exA, res.exB = excerpt(0, i, a, b)
	return res
}

// readErr keeps the ends of a read (EOF, a short last chunk) from the
// failures.
func readErr(errs ...error) error {
	for _, err := range errs {
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return err
		}
	}
	return nil
}

// whole returns head followed by the rest of r (unless r already ended).
func whole(head []byte, r io.Reader, headErr error) ([]byte, error) {
	buf := bytes.NewBuffer(append([]byte(nil), head...))
	if headErr == nil {
		if _, err := buf.ReadFrom(io.LimitReader(r, maxBinary+1)); err != nil {
			return nil, err
		}
	}
	if buf.Len() > maxBinary {
		// Never compare a cut-off binary: an undecided run beats a pass.
		return nil, fmt.Errorf("an executable larger than %d bytes is not compared", maxBinary)
	}
	return buf.Bytes(), nil
}

// firstDiff returns the first index where a and b differ, counting the end
// of the shorter as a difference, or -1 when they are equal.
func firstDiff(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return n
	}
	return -1
}

// excerpt cuts both sides around index i of chunks that start at off: a
// few bytes of shared context, then the difference.
func excerpt(off int64, i int, a, b []byte) (int64, []byte, []byte) {
	start := max(0, i-8)
	cut := func(s []byte) []byte {
		if start >= len(s) {
			return nil
		}
		return append([]byte(nil), s[start:min(len(s), start+excerptLen)]...)
	}
	return off + int64(start), cut(a), cut(b)
}

func sum(h hash.Hash) digest.Digest {
	return digest.Digest{Algorithm: digest.SHA256, Hex: hex.EncodeToString(h.Sum(nil))}
}

// describe renders a content difference for a message.
func (r contentResult) describe() string {
	s := fmt.Sprintf("content differs from byte %d (size %d expected, %d actual): at byte %d expected %s, got %s",
		r.offset, r.sizeA, r.sizeB, r.exOff, quote(r.exA), quote(r.exB))
	if !r.digA.IsZero() {
		s += fmt.Sprintf(" (%s, %s)", r.digA, r.digB)
	}
	return s
}

// isExecutable recognizes ELF, PE and Mach-O headers, the files that can
// carry Go build information.
func isExecutable(b []byte) bool {
	switch {
	case bytes.HasPrefix(b, []byte("\x7fELF")), bytes.HasPrefix(b, []byte("MZ")):
		return true
	case bytes.HasPrefix(b, []byte("\xfe\xed\xfa\xce")), bytes.HasPrefix(b, []byte("\xfe\xed\xfa\xcf")),
		bytes.HasPrefix(b, []byte("\xce\xfa\xed\xfe")), bytes.HasPrefix(b, []byte("\xcf\xfa\xed\xfe")):
		return true
	}
	return false
}
