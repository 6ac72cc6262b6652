package sarifgate

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// Results are held between the stages as compact JSON, compressed in
// blocks of blockResults, rather than as decoded structs: a decoded result
// with its locations, maps and raw property values takes a few kilobytes
// of heap, its compressed JSON a few dozen bytes. The reader stores each
// result it decoded; Normalize decodes one block at a time and keeps a few
// fields per result; Write decodes again only the results it writes and
// cleans them as Normalize did (chunk.output). So memory grows with the
// light per-result bookkeeping (severity, path, message, fingerprint), not
// with everything the tools wrote.

// blockResults is how many results one block holds: Normalize's unit of
// work, and the most results decoded at once per core.
const blockResults = 2048

// store is a sequence of JSON-encoded results in compressed blocks.
type store struct {
	blocks  []*block
	pending bytes.Buffer
	ends    []uint32
	enc     *json.Encoder
	n       int
}

// block is up to blockResults encoded results, compressed together.
type block struct {
	data []byte   // the records, flate-compressed
	size int      // their uncompressed length
	ends []uint32 // where each record ends in the uncompressed data
}

// add encodes res and appends it.
func (s *store) add(res *result) error {
	if s.enc == nil {
		s.enc = json.NewEncoder(&s.pending)
		s.enc.SetEscapeHTML(false)
	}
	if err := s.enc.Encode(res); err != nil {
		return fmt.Errorf("encoding a result: %w", err)
	}
	s.ends = append(s.ends, uint32(s.pending.Len()))
	s.n++
	if len(s.ends) == blockResults {
		return s.seal()
	}
	return nil
}

// seal compresses the pending records into a block.
func (s *store) seal() error {
	if len(s.ends) == 0 {
		return nil
	}
	var out bytes.Buffer
	zw := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(zw)
	zw.Reset(&out)
	if _, err := zw.Write(s.pending.Bytes()); err != nil {
		return fmt.Errorf("compressing results: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compressing results: %w", err)
	}
	s.blocks = append(s.blocks, &block{data: bytes.Clone(out.Bytes()), size: s.pending.Len(), ends: s.ends})
	s.pending.Reset()
	s.ends = nil
	return nil
}

// finish seals the last block and lets the encoder and its buffer go:
// nothing more is added.
func (s *store) finish() error {
	err := s.seal()
	s.pending, s.enc = bytes.Buffer{}, nil
	return err
}

// len is how many results the store holds.
func (s *store) len() int {
	if s == nil {
		return 0
	}
	return s.n
}

// flateWriters reuses compressors: each holds about a megabyte of state.
var flateWriters = sync.Pool{New: func() any {
	zw, _ := flate.NewWriter(nil, flate.BestSpeed)
	return zw
}}

// records decompresses the block and returns its records, which share one
// buffer.
func (b *block) records() ([][]byte, error) {
	buf := make([]byte, b.size)
	zr := flate.NewReader(bytes.NewReader(b.data))
	defer zr.Close()
	if _, err := io.ReadFull(zr, buf); err != nil {
		return nil, fmt.Errorf("decompressing results: %w", err)
	}
	out := make([][]byte, len(b.ends))
	start := uint32(0)
	for i, end := range b.ends {
		out[i] = buf[start:end]
		start = end
	}
	return out, nil
}

// decodeRecord decodes one stored result.
func decodeRecord(rec []byte) (*result, error) {
	res := new(result)
	if err := json.Unmarshal(rec, res); err != nil {
		return nil, fmt.Errorf("decoding a stored result: %w", err)
	}
	return res, nil
}

// blockCache keeps the last chunk's block decompressed, with a cleaner of
// its run: results are read in order, so each block is decompressed once
// per pass.
type blockCache struct {
	ch   *chunk
	recs [][]byte
	c    *cleaner
}

// result returns item it's result as the output carries it.
func (bc *blockCache) result(it *Item) (*result, error) {
	if it.chunk == nil {
		return nil, errors.New("a result without its stored input")
	}
	if bc.ch != it.chunk {
		recs, err := it.chunk.in.records()
		if err != nil {
			return nil, err
		}
		bc.ch, bc.recs = it.chunk, recs
		bc.c = &cleaner{loc: it.chunk.c.loc, run: it.chunk.c.run, places: map[placeKey]place{}}
	}
	return bc.ch.output(bc.recs, it.idx, bc.c)
}
