package sentinel

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
)

// node is one entry of the tree being walked.
type node struct {
	rel string      // workspace-relative, forward slashes
	abs string      // absolute path
	typ fs.FileMode // the type bits, as the directory listing gave them
}

// child returns the node for name in directory n. Its relative path is a
// slice of its absolute one where the separator is "/", so a file costs
// one allocation, not two: a cache is hundreds of thousands of files.
func child(n node, name string, typ fs.FileMode) node {
	abs := n.abs + string(filepath.Separator) + name
	if filepath.Separator == '/' {
		return node{abs: abs, rel: abs[len(abs)-len(n.rel)-1-len(name):], typ: typ}
	}
	return node{abs: abs, rel: n.rel + "/" + name, typ: typ}
}

// walker walks cache roots depth first in one goroutine and hands every
// non-directory entry, in batches, to a bounded pool of workers: reading
// directories is cheap, hashing is not, and batches keep the channel cost
// per small file low. Memory stays bounded: at most workers*4 batches wait.
type walker struct {
	workspace string
	// skip reports paths that are not part of the cache (the manifest, its
	// bundle, exclusions); they are neither listed nor descended into.
	skip func(rel string) bool
	// dir is called, in the walking goroutine, for every directory (roots
	// included) with its mode; it says whether to descend.
	dir func(n node, mode fs.FileMode) (bool, error)
	// leaf is called, in a worker, for every other entry; worker is the
	// worker's index, for per-worker state.
	leaf func(worker int, n node) error
	// missingRoot is called for a root that does not exist.
	missingRoot func(rel string) error
	workers     int
	buf         []byte // the walking goroutine's directory buffer
}

const batchSize = 64

// defaultWorkers is the hashing parallelism when none is given: one worker
// per CPU the process may use.
func defaultWorkers() int { return runtime.GOMAXPROCS(0) }

// run walks roots (workspace-relative) and returns the first error any
// callback returned, or the context's.
func (w *walker) run(ctx context.Context, roots []string) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan []node, w.workers*4)
	var wg sync.WaitGroup
	for i := range w.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				for _, n := range b {
					if ctx.Err() != nil {
						break
					}
					if err := w.leaf(i, n); err != nil {
						cancel(err)
						break
					}
				}
			}
		}()
	}
	var batch []node
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		select {
		case batches <- batch:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		batch = make([]node, 0, batchSize)
		return nil
	}
	emit := func(n node) error {
		batch = append(batch, n)
		if len(batch) == batchSize {
			return flush()
		}
		return nil
	}
	var walkErr error
	for _, r := range roots {
		if walkErr = w.root(ctx, r, emit); walkErr != nil {
			break
		}
	}
	if walkErr == nil {
		walkErr = flush()
	}
	close(batches)
	wg.Wait()
	if walkErr != nil {
		return walkErr
	}
	return context.Cause(ctx)
}

func (w *walker) root(ctx context.Context, rel string, emit func(node) error) error {
	abs := filepath.Join(w.workspace, filepath.FromSlash(rel))
	fi, err := os.Lstat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return w.missingRoot(rel)
	}
	if err != nil {
		return fmt.Errorf("reading cache path %q: %w", rel, err)
	}
	n := node{rel: rel, abs: abs, typ: fi.Mode().Type()}
	if !fi.IsDir() {
		return emit(n)
	}
	return w.walkDir(ctx, n, emit)
}

// walkDir lists the directory n, reports it, and unless told not to,
// walks its subdirectories and emits everything else. A directory is
// opened without following links, so one replaced by a link since it was
// listed is emitted as the link it now is.
func (w *walker) walkDir(ctx context.Context, n node, emit func(node) error) error {
	if err := context.Cause(ctx); err != nil {
		return err
	}
	mode, children, err := w.listDir(n)
	if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ELOOP) || errors.Is(err, errNotDir) {
		fi, lerr := os.Lstat(n.abs)
		if lerr != nil {
			return fmt.Errorf("reading %q: %w", n.rel, lerr)
		}
		n.typ = fi.Mode().Type()
		return emit(n)
	}
	if err != nil {
		return fmt.Errorf("reading directory %q: %w", n.rel, err)
	}
	descend, err := w.dir(n, mode)
	if err != nil || !descend {
		return err
	}
	for _, c := range children {
		if w.skip != nil && w.skip(c.rel) {
			continue
		}
		if c.typ.IsDir() {
			err = w.walkDir(ctx, c, emit)
		} else {
			err = emit(c)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// errNotDir is returned where a directory was expected and something
// else was found.
var errNotDir = errors.New("not a directory")
