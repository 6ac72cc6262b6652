package sarifgate

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/hubgates/hub/shared/fsroot"
)

// Skipped is a file that is not usable SARIF, left out because the caller
// asked to skip such files.
type Skipped struct {
	File File
	Err  error
}

// Load reads files concurrently and returns them as sources in the order
// given. A file that is not usable SARIF (IsInvalid) is returned in
// skipped when skipInvalid is set, and otherwise makes Load fail with
// every such file's *FileError joined. An I/O error, a cancelled context
// or a parser crash always fails, whatever skipInvalid says: the gate
// cannot decide without the file.
func Load(ctx context.Context, files []File, maxBytes int64, skipInvalid bool) (sources []Source, skipped []Skipped, err error) {
	return LoadIn(ctx, nil, files, maxBytes, skipInvalid)
}

// LoadIn is Load reading each file through root, by its Name (which
// Collect makes relative to the workspace root is opened at): see
// ReadFileIn. A nil root reads each file by its Path.
func LoadIn(ctx context.Context, root *fsroot.Root, files []File, maxBytes int64, skipInvalid bool) (sources []Source, skipped []Skipped, err error) {
	logs := make([]*Log, len(files))
	errs := make([]error, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for i := range next {
				if root == nil {
					logs[i], errs[i] = ReadFile(ctx, files[i].Path, maxBytes)
				} else {
					logs[i], errs[i] = ReadFileIn(ctx, root, files[i].Name, maxBytes)
				}
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()

	var invalid []error
	for i, f := range files {
		switch e := errs[i]; {
		case e == nil:
			sources = append(sources, Source{Name: f.Name, Log: logs[i]})
		case IsInvalid(e) && skipInvalid:
			skipped = append(skipped, Skipped{File: f, Err: e})
		case IsInvalid(e):
			invalid = append(invalid, &FileError{Path: f.Name, Err: e})
		default:
			return nil, nil, &FileError{Path: f.Name, Err: e}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if len(invalid) > 0 {
		return nil, nil, errors.Join(invalid...)
	}
	return sources, skipped, nil
}
