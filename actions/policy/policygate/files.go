package policygate

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/hubgates/hub/shared/fsroot"
)

// maxFileSize bounds every file the gate reads: a policy, a data file or
// an input document. A larger one is refused as bad input.
const maxFileSize = 32 << 20

// maxFiles bounds how many files one input may name.
const maxFiles = 200_000

// file is a workspace file an input named: its slash-separated name in
// the workspace and, when it was found by walking a directory the input
// named, that directory (OPA places data files under the path between it
// and the file).
type file struct {
	name string
	dir  string
}

// patternError is a pattern of a list input that names nothing usable.
type patternError struct {
	pattern string
	problem string
	err     error
}

func (e *patternError) Error() string { return e.problem }
func (e *patternError) Unwrap() error { return e.err }

// collect expands patterns (workspace-relative files, directories or
// doublestar globs) into files, sorted and without duplicates. A directory
// is walked for files accept takes (.git folders aside); a glob keeps the
// matches accept takes; a file named literally is kept whatever its name.
// A literal that does not exist, or a glob or directory that yields
// nothing, is a patternError.
func collect(root *fsroot.Root, patterns []string, accept func(string) bool) ([]file, error) {
	seen := map[string]bool{}
	var out []file
	matched := false
	add := func(f file) error {
		matched = true
		if seen[f.name] {
			return nil
		}
		if len(out) >= maxFiles {
			return &patternError{pattern: f.name, problem: fmt.Sprintf("names more than %d files", maxFiles)}
		}
		seen[f.name] = true
		out = append(out, f)
		return nil
	}
	for _, p := range patterns {
		clean := path.Clean(filepath.ToSlash(p))
		if filepath.IsAbs(p) || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, &patternError{pattern: p, problem: "resolves outside the workspace"}
		}
		matched = false
		switch {
		case strings.ContainsAny(clean, `*?[{\`):
			if !doublestar.ValidatePattern(clean) {
				return nil, &patternError{pattern: p, problem: "is not a valid glob"}
			}
			matches, err := doublestar.Glob(root.FS(), clean, doublestar.WithFilesOnly(), doublestar.WithFailOnIOErrors())
			if err != nil {
				return nil, fmt.Errorf("expanding %q: %w", p, err)
			}
			for _, m := range matches {
				if accept(m) {
					if err := add(file{name: m}); err != nil {
						return nil, err
					}
				}
			}
		default:
			fi, err := root.Stat(clean)
			if err != nil {
				return nil, &patternError{pattern: p, problem: statProblem(err), err: err}
			}
			if !fi.IsDir() {
				if err := add(file{name: clean}); err != nil {
					return nil, err
				}
				break
			}
			err = fs.WalkDir(root.FS(), clean, func(name string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() {
					if d.Name() == ".git" && name != clean {
						return fs.SkipDir
					}
					return nil
				}
				if accept(name) {
					return add(file{name: name, dir: clean})
				}
				return nil
			})
			if err != nil {
				var pe *patternError
				if errors.As(err, &pe) {
					return nil, err
				}
				return nil, fmt.Errorf("walking %q: %w", p, err)
			}
		}
		if !matched {
			return nil, &patternError{pattern: p, problem: "matches no file the gate reads here"}
		}
	}
	slices.SortFunc(out, func(a, b file) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// statProblem words a failure to stat a named path for a message.
func statProblem(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "does not exist"
	case errors.Is(err, fsroot.ErrEscapes):
		return "leads outside the workspace (through a symbolic link or \"..\")"
	case errors.Is(err, fs.ErrPermission):
		return "cannot be read: permission denied"
	}
	return err.Error()
}

// hasExt returns an accept function for names ending in one of exts.
func hasExt(exts ...string) func(string) bool {
	return func(name string) bool {
		for _, e := range exts {
			if strings.HasSuffix(strings.ToLower(name), e) {
				return true
			}
		}
		return false
	}
}
