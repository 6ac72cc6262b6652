package gate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// resolvePath turns a Path input into an absolute, symlink-free path that
// lies inside the workspace or, when allowTemp, inside RUNNER_TEMP. A path
// that does not exist yet is resolved through its nearest existing
// ancestor, so an output file can be named before it is written, and a
// symlinked ancestor cannot smuggle it out. This is the check that makes a
// bad path exit 2 before the gate starts; the reads and writes themselves
// go through os.Root (see [Inputs.Root]), which also holds against links
// made after this check.
func resolvePath(env Env, value string, allowTemp bool) (string, error) {
	if strings.ContainsAny(value, "\x00\n\r") {
		return "", errors.New("contains a line break or NUL, which no file name here should")
	}
	p := value
	if !filepath.IsAbs(p) {
		p = filepath.Join(env.Workspace, p)
	}
	p = filepath.Clean(p)
	real, err := evalExisting(p)
	if err != nil {
		return "", err
	}
	if within(env.Workspace, real) {
		return real, nil
	}
	if allowTemp {
		if env.RunnerTemp != "" && within(env.RunnerTemp, real) {
			return real, nil
		}
		if env.RunnerTempUnseen && !within(env.Workspace, p) {
			return "", errors.New("resolves outside the workspace; RUNNER_TEMP is not mounted inside a container action, so name a path in the workspace")
		}
		return "", errors.New("resolves outside the workspace and RUNNER_TEMP")
	}
	return "", errors.New("resolves outside the workspace")
}

// evalExisting resolves symlinks in the longest existing prefix of p and
// appends the rest unchanged.
func evalExisting(p string) (string, error) {
	var rest []string
	cur := p
	for {
		real, err := filepath.EvalSymlinks(cur)
		if err == nil {
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("cannot be resolved: %w", err)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return "", fmt.Errorf("cannot be resolved: %w", err)
		}
		// A dangling symlink is refused rather than followed later.
		if fi, lerr := os.Lstat(cur); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return "", errors.New("is a dangling symlink")
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// within reports whether p is root or below it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	return rel == "." || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel))
}
