package sentinel

import "slices"

// Tree names the cache: the workspace, the cache paths in it and what to
// leave out.
type Tree struct {
	// Workspace is the absolute, symlink-free workspace path.
	Workspace string
	// Roots are the cache paths, workspace-relative, canonical, sorted,
	// none inside another (see [ResolveRoots]).
	Roots []string
	// Exclude are doublestar globs over workspace-relative paths left out
	// of the manifest at seal; at verify anything the manifest does not
	// list is quarantined, excluded or not.
	Exclude []string
	// Skip are workspace-relative paths that are never part of the cache
	// wherever they sit: the manifest and its bundle.
	Skip []string
	// Workers is the hashing parallelism; 0 means one per CPU.
	Workers int
}

func (t *Tree) workers() int {
	if t.Workers > 0 {
		return t.Workers
	}
	return defaultWorkers()
}

func (t *Tree) skipped(rel string) bool {
	return slices.Contains(t.Skip, rel)
}
