package sentinel

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hubgates/hub/shared/finding"
)

// VerifyReport is the outcome of [Verify].
type VerifyReport struct {
	// Findings are every difference between the tree and the manifest.
	Findings []finding.Finding
	// Quarantined lists what was moved out of the cache (or deleted).
	Quarantined []Removal
	// Files is the number of regular files examined, Hits those that
	// matched, Misses the manifest entries absent from the tree.
	Files, Hits, Misses int64
	// BytesChecked is the number of bytes hashed.
	BytesChecked int64
	// Hashing is the wall time spent walking and hashing.
	Hashing time.Duration
}

// ErrRootsDiffer is returned when the manifest was sealed for other cache
// paths than the ones being verified.
var ErrRootsDiffer = errors.New("manifest covers other cache paths")

// problem is one entry to remove from the cache, with why.
type problem struct {
	rel string
	f   finding.Finding
}

// Verify compares the tree with m, entry by entry, before anything else
// reads the cache: every file is hashed (in parallel, as [Seal] does) unless
// its size or mode already differs. Whatever does not match the manifest —
// content, size, mode or type changed, entries the manifest does not list,
// symbolic links that leave their cache path, special files — is handed to
// q, which moves it out of the cache or deletes it; an unlisted or changed
// directory goes whole, unexamined. Entries the manifest lists and the tree
// lacks are reported. m must already be verified (signature) and parsed.
func Verify(ctx context.Context, t Tree, m *Manifest, q *Quarantine) (*VerifyReport, error) {
	if !slices.Equal(m.Roots, t.Roots) {
		return nil, fmt.Errorf("%w: expected %q, got %q", ErrRootsDiffer, strings.Join(t.Roots, ", "), strings.Join(m.Roots, ", "))
	}
	started := time.Now()
	index := make(map[string]int, len(m.Entries))
	for i, e := range m.Entries {
		index[e.Path] = i
	}
	seen := make([]bool, len(m.Entries)) // each index is written by one goroutine only
	workers := t.workers()
	hashers := make([]*hasher, workers)
	for i := range hashers {
		hashers[i] = newHasher()
	}
	var (
		mu       sync.Mutex
		problems []problem
		files    atomic.Int64
		hits     atomic.Int64
		checked  atomic.Int64
	)
	bad := func(rel, rule, key, msg string) {
		mu.Lock()
		problems = append(problems, problem{rel: rel, f: newFinding(rule, rel, key, msg)})
		mu.Unlock()
	}
	lookup := func(rel string) (Entry, bool) {
		i, ok := index[rel]
		if !ok {
			return Entry{}, false
		}
		seen[i] = true
		return m.Entries[i], true
	}
	w := &walker{
		workspace: t.Workspace,
		workers:   workers,
		skip:      t.skipped,
		missingRoot: func(string) error {
			return nil // its entries are reported missing below
		},
		dir: func(n node, mode fs.FileMode) (bool, error) {
			e, ok := lookup(n.rel)
			switch {
			case !ok:
				bad(n.rel, RuleUnexpectedEntry, "dir", fmt.Sprintf("directory %s is not in the manifest", n.rel))
				return false, nil
			case e.Type != TypeDir:
				bad(n.rel, RuleModeMismatch, "type", fmt.Sprintf("%s is a directory, the manifest says %s", n.rel, e.Type))
				return false, nil
			case unixMode(mode) != e.Mode:
				bad(n.rel, RuleModeMismatch, "mode", fmt.Sprintf("directory %s has mode %04o, the manifest says %04o", n.rel, unixMode(mode), e.Mode))
				return false, nil
			}
			return true, nil
		},
		leaf: func(i int, n node) error {
			root := rootOf(t.Roots, n.rel)
			switch {
			case n.typ == 0:
				files.Add(1)
				e, ok := lookup(n.rel)
				switch {
				case !ok:
					bad(n.rel, RuleUnexpectedEntry, "file", fmt.Sprintf("file %s is not in the manifest", n.rel))
					return nil
				case e.Type != TypeFile:
					bad(n.rel, RuleModeMismatch, "type", fmt.Sprintf("%s is a file, the manifest says %s", n.rel, e.Type))
					return nil
				}
				var rule, key, reason string
				st, sum, err := hashers[i].hashFile(n.abs, func(st stat) error {
					switch {
					case st.size != e.Size:
						rule, key, reason = RuleContentMismatch, "size", fmt.Sprintf("file %s has %d bytes, the manifest says %d", n.rel, st.size, e.Size)
						return errSkip
					case unixMode(st.mode) != e.Mode:
						rule, key, reason = RuleModeMismatch, "mode", fmt.Sprintf("file %s has mode %04o, the manifest says %04o", n.rel, unixMode(st.mode), e.Mode)
						return errSkip
					}
					return nil
				})
				switch {
				case errors.Is(err, errSkip):
					bad(n.rel, rule, key, reason)
				case err != nil:
					bad(n.rel, RuleContentMismatch, "read", fmt.Sprintf("file %s could not be read, so it cannot be trusted: %v", n.rel, err))
				case sum != e.BLAKE3:
					checked.Add(st.size)
					bad(n.rel, RuleContentMismatch, "digest", fmt.Sprintf("file %s has BLAKE3 %x, the manifest says %x", n.rel, sum, e.BLAKE3))
				default:
					checked.Add(st.size)
					hits.Add(1)
				}
			case n.typ&fs.ModeSymlink != 0:
				target, err := os.Readlink(n.abs)
				if err != nil {
					bad(n.rel, RuleContentMismatch, "read", fmt.Sprintf("link %s could not be read, so it cannot be trusted: %v", n.rel, err))
					return nil
				}
				e, ok := lookup(n.rel)
				switch {
				case linkEscapes(t.Workspace, root, n.rel, target):
					bad(n.rel, RuleSymlinkEscape, target, fmt.Sprintf("symbolic link %s points to %q, outside cache path %s", n.rel, target, root))
				case !ok:
					bad(n.rel, RuleUnexpectedEntry, "symlink", fmt.Sprintf("symbolic link %s is not in the manifest", n.rel))
				case e.Type != TypeSymlink:
					bad(n.rel, RuleModeMismatch, "type", fmt.Sprintf("%s is a symbolic link, the manifest says %s", n.rel, e.Type))
				case target != e.Target:
					bad(n.rel, RuleContentMismatch, "target", fmt.Sprintf("symbolic link %s points to %q, the manifest says %q", n.rel, target, e.Target))
				default:
					hits.Add(1)
				}
			default:
				lookup(n.rel)
				bad(n.rel, RuleUnsupportedFile, n.typ.String(), fmt.Sprintf("%s is a %s, which a sealed cache never holds", n.rel, typeName(n.typ)))
			}
			return nil
		},
	}
	if err := w.run(ctx, t.Roots); err != nil {
		return nil, err
	}
	rep := &VerifyReport{Files: files.Load(), Hits: hits.Load(), BytesChecked: checked.Load(), Hashing: time.Since(started)}
	slices.SortFunc(problems, func(a, b problem) int { return strings.Compare(a.rel, b.rel) })
	var removed []string
	for _, p := range problems {
		rep.Findings = append(rep.Findings, p.f)
		removed = append(removed, p.rel)
	}
	// Entries under a removed directory are not reported one by one: the
	// directory's own finding says why they are gone. Entries under a
	// missing directory are counted in its finding.
	var missing []int       // indexes of the missing entries reported
	top := map[string]int{} // reported missing directory -> its index
	below := map[int]int{}  // index -> entries missing under it
	for i, e := range m.Entries {
		if seen[i] || underAny(removed, e.Path) {
			continue
		}
		rep.Misses++
		if j, ok := missingAncestor(top, e.Path); ok {
			below[j]++
			continue
		}
		missing = append(missing, i)
		if e.Type == TypeDir {
			top[e.Path] = i
		}
	}
	for _, i := range missing {
		e := m.Entries[i]
		msg := fmt.Sprintf("%s %s is in the manifest but not in the cache", e.Type, e.Path)
		if n := below[i]; n > 0 {
			msg += fmt.Sprintf(", nor the %d entries under it", n)
		}
		rep.Findings = append(rep.Findings, newFinding(RuleMissingEntry, e.Path, e.Type, msg))
	}
	for _, rel := range removed {
		r, err := q.Remove(rel)
		if err != nil {
			return nil, err
		}
		rep.Quarantined = append(rep.Quarantined, r)
	}
	return rep, nil
}

// missingAncestor returns the index of the reported missing directory p
// lies under, if any.
func missingAncestor(top map[string]int, p string) (int, bool) {
	for d := p; ; {
		i := strings.LastIndexByte(d, '/')
		if i < 0 {
			return 0, false
		}
		d = d[:i]
		if j, ok := top[d]; ok {
			return j, true
		}
	}
}

// errSkip stops hashFile before reading a file already known to differ.
var errSkip = errors.New("differs before hashing")

// underAny reports whether p lies strictly under one of the sorted
// directories dirs.
func underAny(dirs []string, p string) bool {
	for d := p; ; {
		j := strings.LastIndexByte(d, '/')
		if j < 0 {
			return false
		}
		d = d[:j]
		if _, found := slices.BinarySearch(dirs, d); found {
			return true
		}
	}
}
