package sentinel

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hubgates/hub/shared/finding"
)

// SealReport is the outcome of [Seal].
type SealReport struct {
	// Manifest describes the tree; it is nil when Findings say the tree
	// cannot be sealed.
	Manifest *Manifest
	// Findings are entries that cannot be part of a trusted cache:
	// symbolic links leaving their cache path and special files.
	Findings []finding.Finding
	// Hashing is the wall time spent walking and hashing.
	Hashing time.Duration
}

// Seal walks the tree, hashes every regular file with BLAKE3 in parallel
// and returns the manifest, with header's run fields (key, repository,
// ref, run, domain, time) copied in. A tree holding a symbolic link that
// leaves its cache path, or a FIFO, socket or device, is not sealed: those
// come back as findings and the manifest is nil.
func Seal(ctx context.Context, t Tree, header Manifest) (*SealReport, error) {
	started := time.Now()
	excl, err := newMatcher(t.Exclude)
	if err != nil {
		return nil, err
	}
	workers := t.workers()
	perWorker := make([][]Entry, workers)
	hashers := make([]*hasher, workers)
	for i := range hashers {
		hashers[i] = newHasher()
	}
	var (
		mu       sync.Mutex
		dirs     []Entry
		findings []finding.Finding
	)
	report := func(f finding.Finding) {
		mu.Lock()
		findings = append(findings, f)
		mu.Unlock()
	}
	w := &walker{
		workspace: t.Workspace,
		workers:   workers,
		skip:      func(rel string) bool { return t.skipped(rel) || excl.match(rel) },
		missingRoot: func(rel string) error {
			return &RootError{Root: rel, Err: fs.ErrNotExist}
		},
		dir: func(n node, mode fs.FileMode) (bool, error) {
			dirs = append(dirs, Entry{Path: n.rel, Type: TypeDir, Mode: unixMode(mode)})
			return true, nil
		},
		leaf: func(i int, n node) error {
			root := rootOf(t.Roots, n.rel)
			switch {
			case n.typ == 0:
				st, sum, err := hashers[i].hashFile(n.abs, nil)
				if err != nil {
					return fmt.Errorf("reading %q: %w", n.rel, err)
				}
				perWorker[i] = append(perWorker[i], Entry{Path: n.rel, Type: TypeFile, Size: st.size, Mode: unixMode(st.mode), BLAKE3: sum})
			case n.typ&fs.ModeSymlink != 0:
				target, err := os.Readlink(n.abs)
				if err != nil {
					return fmt.Errorf("reading link %q: %w", n.rel, err)
				}
				if linkEscapes(t.Workspace, root, n.rel, target) {
					report(newFinding(RuleSymlinkEscape, n.rel, target,
						fmt.Sprintf("symbolic link %s points to %q, outside cache path %s: refusing to seal it", n.rel, target, root)))
					return nil
				}
				perWorker[i] = append(perWorker[i], Entry{Path: n.rel, Type: TypeSymlink, Target: target})
			default:
				report(newFinding(RuleUnsupportedFile, n.rel, n.typ.String(),
					fmt.Sprintf("%s is a %s, which a cache cannot carry: refusing to seal it", n.rel, typeName(n.typ))))
			}
			return nil
		},
	}
	if err := w.run(ctx, t.Roots); err != nil {
		return nil, err
	}
	rep := &SealReport{Findings: findings, Hashing: time.Since(started)}
	if len(findings) > 0 {
		return rep, nil
	}
	n := len(dirs)
	for _, es := range perWorker {
		n += len(es)
	}
	m := header
	m.Format = FormatV1
	m.Roots = append([]string(nil), t.Roots...)
	m.Entries = make([]Entry, 0, n)
	m.Entries = append(m.Entries, dirs...)
	for _, es := range perWorker {
		m.Entries = append(m.Entries, es...)
	}
	slices.SortFunc(m.Entries, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	m.Files, m.Bytes = 0, 0
	for _, e := range m.Entries {
		if e.Type == TypeFile {
			m.Files++
			m.Bytes += e.Size
		}
	}
	rep.Manifest = &m
	return rep, nil
}

// typeName says what kind of special file a mode is.
func typeName(t fs.FileMode) string {
	switch {
	case t&fs.ModeNamedPipe != 0:
		return "FIFO"
	case t&fs.ModeSocket != 0:
		return "socket"
	case t&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}
