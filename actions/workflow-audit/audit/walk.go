package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/hubgates/hub/shared/fsroot"
)

// skipDirs are directory names the default walk never enters: VCS data,
// third-party code, and test fixtures (which hold deliberately bad files).
var skipDirs = map[string]bool{
	".git":         true,
	"node_modules": true,
	"vendor":       true,
	"testdata":     true,
}

// target is a file to scan.
type target struct {
	rel  string // repository-relative, forward slashes
	abs  string // real path on disk
	kind string
}

func resolveRoot(root string) (string, error) {
	if root == "" {
		root = "."
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", &PathError{Path: root, Err: err}
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = fs.ErrNotExist
		}
		return "", &PathError{Path: root, Err: err}
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", &PathError{Path: root, Err: err}
	}
	if !st.IsDir() {
		return "", &PathError{Path: root, Err: errors.New("scan root is not a directory")}
	}
	return real, nil
}

// within reports whether real (a cleaned absolute path) is root or below it.
func within(root, real string) bool {
	rel, err := filepath.Rel(root, real)
	return err == nil && !escapes(filepath.ToSlash(rel))
}

// escapes reports whether a cleaned relative slash path leaves its base.
func escapes(rel string) bool {
	return rel == ".." || strings.HasPrefix(rel, "../") || path.IsAbs(rel)
}

func isYAMLName(name string) bool {
	return strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml")
}

func isActionName(name string) bool { return name == "action.yml" || name == "action.yaml" }

func isDependabotName(name string) bool {
	return name == "dependabot.yml" || name == "dependabot.yaml"
}

// isRenovatePath reports whether rel is where Renovate looks for its
// configuration in JSON (JSON5 files are not read).
func isRenovatePath(rel string) bool {
	switch rel {
	case "renovate.json", ".renovaterc", ".renovaterc.json", ".github/renovate.json", ".gitlab/renovate.json":
		return true
	}
	return false
}

func isDockerfileName(name string) bool {
	if strings.HasSuffix(name, ".dockerignore") {
		return false
	}
	return name == "Dockerfile" || strings.HasSuffix(name, ".Dockerfile") || strings.HasPrefix(name, "Dockerfile.")
}

// kindByLocation classifies a file met while walking a directory: workflows
// must sit directly in a .github/workflows directory.
func kindByLocation(rel string) string {
	name := path.Base(rel)
	switch {
	case isActionName(name):
		return KindAction
	case isDockerfileName(name):
		return KindDockerfile
	case isDependabotName(name) && (path.Dir(rel) == ".github" || strings.HasSuffix(path.Dir(rel), "/.github")):
		return KindDependabot
	case isRenovatePath(rel):
		return KindRenovate
	case isYAMLName(name):
		dir := path.Dir(rel)
		if dir == ".github/workflows" || strings.HasSuffix(dir, "/.github/workflows") {
			return KindWorkflow
		}
	}
	return ""
}

// kindByName classifies a file named in Options.Paths or matched by a glob:
// any YAML file that is not action metadata is taken to be a workflow.
func kindByName(rel string) string {
	name := path.Base(rel)
	switch {
	case isActionName(name):
		return KindAction
	case isDockerfileName(name):
		return KindDockerfile
	case isDependabotName(name):
		return KindDependabot
	case isRenovatePath(rel) || name == "renovate.json":
		return KindRenovate
	case isYAMLName(name):
		return KindWorkflow
	}
	return ""
}

type collector struct {
	ctx  context.Context
	root string
	// fsys is root as an os.Root: links are judged as the reads that
	// follow will see them, so an absolute link, even one pointing back
	// inside, leads outside.
	fsys    *fsroot.Root
	targets []target
	index   map[string]int
	// refused are the repository paths of files that would be scanned
	// but whose names hold a control character or are not UTF-8.
	refused []string
}

func collectTargets(ctx context.Context, root string, fsys *fsroot.Root, paths []string) (*collector, error) {
	c := &collector{ctx: ctx, root: root, fsys: fsys, index: map[string]int{}}
	if len(paths) == 0 {
		if err := c.walk(root, "."); err != nil {
			return nil, err
		}
		return c, nil
	}
	for _, p := range paths {
		if err := c.addPath(p); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// add records a target. A file named explicitly keeps the explicit kind
// even if a directory walk met it first.
func (c *collector) add(t target, explicit bool) {
	if i, ok := c.index[t.rel]; ok {
		if explicit {
			c.targets[i].kind = t.kind
		}
		return
	}
	c.index[t.rel] = len(c.targets)
	c.targets = append(c.targets, t)
}

func (c *collector) cancelled() error {
	if err := c.ctx.Err(); err != nil {
		return fmt.Errorf("collecting files under %q: %w", c.root, err)
	}
	return nil
}

// walk adds the scannable files below dirAbs, whose repository-relative
// path is dirRel.
func (c *collector) walk(dirAbs, dirRel string) error {
	return filepath.WalkDir(dirAbs, func(p string, d fs.DirEntry, err error) error {
		if cerr := c.cancelled(); cerr != nil {
			return cerr
		}
		r, rerr := filepath.Rel(dirAbs, p)
		if rerr != nil {
			return &PathError{Path: p, Err: rerr}
		}
		rel := path.Join(dirRel, filepath.ToSlash(r))
		if err != nil {
			return &PathError{Path: rel, Err: err}
		}
		if d.IsDir() {
			if p != dirAbs && skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		kind := kindByLocation(rel)
		if kind == "" {
			return nil
		}
		if unsafeName(rel) {
			c.refused = append(c.refused, rel)
			return nil
		}
		abs := p
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			st, err := c.fsys.Stat(rel)
			if err != nil || !st.Mode().IsRegular() {
				return nil // dangling or escaping link: GitHub cannot read it either
			}
			if real, err := filepath.EvalSymlinks(p); err == nil {
				abs = real
			}
		case !d.Type().IsRegular(): // the directory entry's type: no stat per file
			return nil
		}
		c.add(target{rel: rel, abs: abs, kind: kind}, false)
		return nil
	})
}

func hasGlobMeta(p string) bool { return strings.ContainsAny(p, "*?[{") }

func (c *collector) addPath(p string) error {
	if err := c.cancelled(); err != nil {
		return err
	}
	slash := filepath.ToSlash(p)
	if path.IsAbs(slash) || filepath.IsAbs(p) {
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return &PathError{Path: p, Err: notExist(err)}
		}
		if !within(c.root, real) {
			return &PathError{Path: p, Err: ErrOutsideRoot}
		}
		r, _ := filepath.Rel(c.root, real)
		slash = filepath.ToSlash(r)
	}
	rel := path.Clean(slash)
	if escapes(rel) {
		return &PathError{Path: p, Err: ErrOutsideRoot}
	}
	if unsafeName(rel) {
		return &PathError{Path: p, Err: ErrUnsafeName}
	}
	lexical := filepath.Join(c.root, filepath.FromSlash(rel))
	if _, err := os.Lstat(lexical); err != nil {
		if errors.Is(err, fs.ErrNotExist) && hasGlobMeta(rel) {
			return c.addGlob(p, rel)
		}
		return &PathError{Path: p, Err: notExist(err)}
	}
	st, err := c.fsys.Stat(rel)
	if errors.Is(err, fsroot.ErrEscapes) {
		return &PathError{Path: p, Err: ErrOutsideRoot}
	}
	if err != nil {
		return &PathError{Path: p, Err: notExist(err)}
	}
	real, err := filepath.EvalSymlinks(lexical)
	if err != nil {
		return &PathError{Path: p, Err: notExist(err)}
	}
	switch {
	case st.IsDir():
		before, refused := len(c.targets), len(c.refused)
		if err := c.walk(real, rel); err != nil {
			return err
		}
		if len(c.targets) == before && len(c.refused) == refused {
			return &PathError{Path: p, Err: ErrNoFiles}
		}
		return nil
	case !st.Mode().IsRegular():
		return &PathError{Path: p, Err: errors.New("is not a regular file")}
	}
	kind := kindByName(rel)
	if kind == "" {
		return &PathError{Path: p, Err: ErrUnsupportedKind}
	}
	c.add(target{rel: rel, abs: real, kind: kind}, true)
	return nil
}

// notExist turns an *fs.PathError about a missing file, which names the
// absolute path, into the bare fs.ErrNotExist; the PathError names the path
// as given.
func notExist(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fs.ErrNotExist
	}
	return err
}

// addGlob adds the files a doublestar pattern matches (files only; symbolic
// links are not followed while matching, and each match is checked to stay
// inside root).
func (c *collector) addGlob(p, pattern string) error {
	if !doublestar.ValidatePattern(pattern) {
		return &PathError{Path: p, Err: fmt.Errorf("bad glob: %w", doublestar.ErrBadPattern)}
	}
	literal := map[string]bool{}
	for _, seg := range strings.Split(pattern, "/") {
		literal[seg] = true
	}
	n := 0
	err := doublestar.GlobWalk(os.DirFS(c.root), pattern, func(m string, d fs.DirEntry) error {
		if err := c.cancelled(); err != nil {
			return err
		}
		segs := strings.Split(m, "/")
		for _, seg := range segs[:len(segs)-1] {
			if skipDirs[seg] && !literal[seg] {
				return nil
			}
		}
		kind := kindByName(m)
		if kind == "" {
			return nil
		}
		if unsafeName(m) {
			n++
			c.refused = append(c.refused, m)
			return nil
		}
		st, err := c.fsys.Stat(m)
		if errors.Is(err, fsroot.ErrEscapes) {
			return &PathError{Path: m, Err: ErrOutsideRoot}
		}
		if err != nil || !st.Mode().IsRegular() {
			return nil // dangling link, or not a file
		}
		real, err := filepath.EvalSymlinks(filepath.Join(c.root, filepath.FromSlash(m)))
		if err != nil {
			return nil
		}
		n++
		c.add(target{rel: m, abs: real, kind: kind}, true)
		return nil
	}, doublestar.WithFilesOnly(), doublestar.WithNoFollow(), doublestar.WithFailOnIOErrors())
	if err != nil {
		var pe *PathError
		if errors.As(err, &pe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return &PathError{Path: p, Err: err}
	}
	if n == 0 {
		return &PathError{Path: p, Err: ErrNoMatch}
	}
	return nil
}

// unsafeName reports a repository path that holds a control character
// (a newline, a carriage return, an escape) or is not UTF-8. Such a name
// cannot be shown in a log line, an annotation or a SARIF location without
// changing what those say, so the file is refused rather than scanned.
func unsafeName(rel string) bool {
	if !utf8.ValidString(rel) {
		return true
	}
	return strings.IndexFunc(rel, unicode.IsControl) >= 0
}

// safeParent returns the deepest ancestor folder of rel whose path is
// safe to print, "." at worst: where a refused file is reported.
func safeParent(rel string) string {
	for d := path.Dir(rel); ; d = path.Dir(d) {
		if d == "." || d == "/" || !unsafeName(d) {
			return d
		}
	}
}
