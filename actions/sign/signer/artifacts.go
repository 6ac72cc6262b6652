package signer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// BundleSuffix is appended to an artifact's path to name its bundle, as
// "cosign sign-blob --bundle" users conventionally do.
const BundleSuffix = ".sigstore.json"

// BundlePath returns where the bundle of the artifact at p lies.
func BundlePath(p string) string { return p + BundleSuffix }

// Artifact is a workspace file named by the artifacts input.
type Artifact struct {
	// Rel is the workspace-relative, slash-separated path.
	Rel string
	// Abs is the absolute path, symlinks resolved.
	Abs string
}

// ErrPattern is wrapped by every error about an artifacts pattern.
var ErrPattern = errors.New("bad artifact pattern")

// PatternError is a pattern of the artifacts input that cannot be used.
type PatternError struct {
	Pattern string
	Err     error
}

func (e *PatternError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *PatternError) Unwrap() error { return e.Err }

func patternErr(p, format string, args ...any) error {
	return &PatternError{Pattern: p, Err: fmt.Errorf("%w: "+format, append([]any{ErrPattern}, args...)...)}
}

// Resolve expands patterns (workspace-relative files or doublestar globs
// such as dist/**/*.tar.gz) into regular files of workspace, sorted and
// without duplicates. A literal path must exist; a glob must match at
// least one file, and skips bundles (files ending in [BundleSuffix]) so a
// rerun does not sign signatures. Absolute paths, ".." and symlinks that
// resolve outside the workspace are refused.
func Resolve(workspace string, patterns []string) ([]Artifact, error) {
	if len(patterns) == 0 {
		return nil, patternErr("", "no artifacts given")
	}
	seen := map[string]bool{}
	var out []Artifact
	for _, p := range patterns {
		clean := path.Clean(filepath.ToSlash(p))
		if filepath.IsAbs(p) || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, patternErr(p, "resolves outside the workspace")
		}
		if !doublestar.ValidatePattern(clean) {
			return nil, patternErr(p, "not a valid glob")
		}
		var names []string
		if hasMeta(clean) {
			matches, err := doublestar.Glob(os.DirFS(workspace), clean, doublestar.WithFilesOnly(), doublestar.WithFailOnIOErrors())
			if err != nil {
				return nil, fmt.Errorf("expanding %q: %w", p, err)
			}
			for _, m := range matches {
				if !strings.HasSuffix(m, BundleSuffix) {
					names = append(names, m)
				}
			}
			if len(names) == 0 {
				return nil, patternErr(p, "matches no file")
			}
		} else {
			names = []string{clean}
		}
		for _, n := range names {
			a, err := resolveFile(workspace, n)
			if err != nil {
				return nil, &PatternError{Pattern: p, Err: err}
			}
			if !seen[a.Rel] {
				seen[a.Rel] = true
				out = append(out, a)
			}
		}
	}
	slices.SortFunc(out, func(a, b Artifact) int { return strings.Compare(a.Rel, b.Rel) })
	return out, nil
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[{\`) }

// resolveFile checks that rel names a regular file that, symlinks
// resolved, still lies in workspace.
func resolveFile(workspace, rel string) (Artifact, error) {
	abs := filepath.Join(workspace, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return Artifact{}, fmt.Errorf("%w: %q does not exist", ErrPattern, rel)
	}
	if err != nil {
		return Artifact{}, err
	}
	if r, err := filepath.Rel(workspace, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return Artifact{}, fmt.Errorf("%w: %q resolves outside the workspace", ErrPattern, rel)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return Artifact{}, err
	}
	if !fi.Mode().IsRegular() {
		return Artifact{}, fmt.Errorf("%w: %q is not a regular file", ErrPattern, rel)
	}
	return Artifact{Rel: rel, Abs: real}, nil
}
