package gate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hubgates/hub/shared/fsroot"
)

// Inputs holds a gate run's parsed inputs and the runner environment. The
// typed getters panic on a name the gate did not declare or on the wrong
// kind: that is a bug in the gate, and the runtime reports it as exit 3.
type Inputs struct {
	Env    Env
	spec   *Spec
	raw    map[string]string
	values map[string]any
	given  map[string]bool

	// workspace and temp confine every file access; temp is nil when
	// RUNNER_TEMP is not visible.
	workspace *fsroot.Root
	temp      *fsroot.Root
}

// parseInputs reads every declared input: the command line first, then
// INPUT_<NAME> from the environment, then the default. A value equal to the
// default counts as not given: the runner sets INPUT_<NAME> to the default
// for every input a step's "with:" leaves out, so the two must mean the
// same. It collects every problem so a user fixes them all in one go.
func parseInputs(spec *Spec, env Env, getenv func(string) string, flags map[string]string) (*Inputs, []error) {
	in := &Inputs{Env: env, spec: spec, raw: map[string]string{}, values: map[string]any{}, given: map[string]bool{}}
	var errs []error
	if err := in.openRoots(); err != nil {
		return in, []error{err}
	}
	for _, decl := range spec.AllInputs() {
		text, given := flags[decl.Name]
		if !given {
			text = getenv(inputEnvName(decl.Name))
		}
		if decl.Kind != List && decl.Kind != Secret {
			text = strings.TrimSpace(text)
		}
		if text == "" {
			text = decl.Default
		} else if text != decl.Default {
			in.given[decl.Name] = true
		}
		in.raw[decl.Name] = text
		if text == "" {
			if decl.Required {
				errs = append(errs, &InputError{Input: decl.Name, Value: text, Problem: "is required", Secret: decl.Kind == Secret})
			}
			in.values[decl.Name] = zero(decl.Kind)
			continue
		}
		v, err := decl.parse(text)
		if err == nil && decl.Kind == Path {
			v, err = resolvePath(env, text, decl.AllowTemp)
		}
		if err == nil && decl.Check != nil {
			err = decl.Check(v)
		}
		if err != nil {
			errs = append(errs, &InputError{Input: decl.Name, Value: text, Problem: err.Error(), Secret: decl.Kind == Secret, Err: err})
			continue
		}
		in.values[decl.Name] = v
	}
	return in, errs
}

// inputEnvName is the variable the runner sets for an input: INPUT_ and the
// name upper-cased with spaces turned to underscores; dashes are kept.
func inputEnvName(name string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
}

func zero(k Kind) any {
	switch k {
	case Bool:
		return false
	case Int:
		return 0
	case Duration:
		return time.Duration(0)
	case List:
		return []string(nil)
	}
	return ""
}

func (in *Inputs) get(name string, kinds ...Kind) any {
	decl, ok := in.spec.input(name)
	if !ok {
		panic(fmt.Sprintf("gate %s reads undeclared input %q", in.spec.Name, name))
	}
	for _, k := range kinds {
		if decl.Kind == k {
			return in.values[name]
		}
	}
	panic(fmt.Sprintf("gate %s reads input %q of kind %v with the wrong getter", in.spec.Name, name, decl.Kind))
}

// String returns a String, Enum or Secret input.
func (in *Inputs) String(name string) string { return in.get(name, String, Enum, Secret).(string) }

// Bool returns a Bool input.
func (in *Inputs) Bool(name string) bool { return in.get(name, Bool).(bool) }

// Int returns an Int input.
func (in *Inputs) Int(name string) int { return in.get(name, Int).(int) }

// Duration returns a Duration input.
func (in *Inputs) Duration(name string) time.Duration {
	return in.get(name, Duration).(time.Duration)
}

// List returns a List input.
func (in *Inputs) List(name string) []string {
	return append([]string(nil), in.get(name, List).([]string)...)
}

// Path returns a Path input as an absolute path inside the workspace (or
// RUNNER_TEMP), or "" when it was not given.
func (in *Inputs) Path(name string) string { return in.get(name, Path).(string) }

// Raw returns the input's text as given (or its default), for messages.
func (in *Inputs) Raw(name string) string {
	in.get(name, String, Bool, Int, Duration, List, Enum, Path, Secret)
	return in.raw[name]
}

// Given reports whether the input was set (on the command line or as
// INPUT_<NAME>) to something other than its default: a gate may treat a
// missing default file as "none" but a missing file the user named as an
// error. A value equal to the default is not "given", as the runner passes
// the default of every input a step leaves out.
func (in *Inputs) Given(name string) bool {
	in.get(name, String, Bool, Int, Duration, List, Enum, Path, Secret)
	return in.given[name]
}

// Redacted returns every input's text with secrets replaced by "***", for
// evidence and telemetry.
func (in *Inputs) Redacted() map[string]string {
	out := make(map[string]string, len(in.raw))
	for _, decl := range in.spec.AllInputs() {
		v := in.raw[decl.Name]
		if decl.Kind == Secret && v != "" {
			v = "***"
		}
		out[decl.Name] = v
	}
	return out
}

// secrets returns the secret values to mask, longest first.
func (in *Inputs) secrets() []string {
	var out []string
	for _, decl := range in.spec.AllInputs() {
		if decl.Kind == Secret && in.raw[decl.Name] != "" {
			out = append(out, in.raw[decl.Name])
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// openRoots opens the workspace, and RUNNER_TEMP when it is visible, as the
// roots every file access of the run goes through.
func (in *Inputs) openRoots() error {
	ws, err := fsroot.Open(in.Env.Workspace)
	if err != nil {
		return &InputError{Input: "GITHUB_WORKSPACE", Value: in.Env.Workspace, Problem: "cannot be opened", Err: err}
	}
	in.workspace = ws
	if in.Env.RunnerTemp != "" {
		if in.temp, err = fsroot.Open(in.Env.RunnerTemp); err != nil {
			in.temp = nil
		}
	}
	return nil
}

// close releases the roots.
func (in *Inputs) close() {
	for _, r := range []*fsroot.Root{in.workspace, in.temp} {
		if r != nil {
			r.Close()
		}
	}
}

// Workspace returns the workspace as a root that no path or symbolic link
// can leave: read and write the repository's files through it.
func (in *Inputs) Workspace() *fsroot.Root { return in.workspace }

// Root returns where a Path input points: the root that holds it (the
// workspace, or RUNNER_TEMP for inputs that allow it) and its name inside
// that root. Every access to the file goes through the root, so a link
// planted after the input was checked still cannot lead outside. For an
// input left empty it returns (nil, "").
func (in *Inputs) Root(name string) (*fsroot.Root, string) {
	abs := in.Path(name)
	if abs == "" {
		return nil, ""
	}
	return in.rootFor(abs)
}

// rootFor finds the root that holds abs, an absolute path resolved by
// resolvePath.
func (in *Inputs) rootFor(abs string) (*fsroot.Root, string) {
	for _, r := range []*fsroot.Root{in.workspace, in.temp} {
		if r == nil {
			continue
		}
		if rel, err := r.Name(abs); err == nil {
			return r, rel
		}
	}
	// resolvePath admitted abs, so one of the roots holds it; reaching
	// here is a bug, and the workspace root refuses the name.
	return in.workspace, abs
}

// Lexical returns a Path input as given, cleaned and relative to the
// workspace with forward slashes, symbolic links not followed: the name to
// check for links before writing into a folder, where a link (even one to
// another place in the workspace, such as .git/hooks) must be refused
// rather than followed. It returns "" for an input left empty, and for a
// path outside the workspace (only RUNNER_TEMP paths are: Path resolution
// refused every other).
func (in *Inputs) Lexical(name string) string {
	raw := in.Raw(name)
	if in.Path(name) == "" || raw == "" {
		return ""
	}
	p := raw
	if !filepath.IsAbs(p) {
		p = filepath.Join(in.Env.Workspace, p)
	}
	rel, err := in.workspace.Name(filepath.Clean(p))
	if err != nil {
		return ""
	}
	return rel
}

// OpenFile opens the regular file a Path input names, through its root.
// Errors name the input and its value: a file that does not exist, or one
// that is not a regular file, is bad input ([InputError]); a link that
// leads outside the workspace too.
func (in *Inputs) OpenFile(name string) (*os.File, fs.FileInfo, error) {
	root, rel := in.Root(name)
	if root == nil {
		return nil, nil, &InputError{Input: name, Value: in.Raw(name), Problem: "is empty"}
	}
	f, fi, err := root.OpenRegular(rel)
	if err != nil {
		return nil, nil, in.FileError(name, err)
	}
	return f, fi, nil
}

// ReadFile reads the regular file a Path input names, through its root, at
// most max bytes (max <= 0: no limit). Errors are as for OpenFile; a file
// over the limit is bad input too.
func (in *Inputs) ReadFile(name string, max int64) ([]byte, error) {
	root, rel := in.Root(name)
	if root == nil {
		return nil, &InputError{Input: name, Value: in.Raw(name), Problem: "is empty"}
	}
	b, err := root.ReadFile(rel, max)
	if err != nil {
		return nil, in.FileError(name, err)
	}
	return b, nil
}

// FileError turns a failure to open or read the file a Path input names
// (through its root) into an error that names the input and its value.
// Problems of the file itself are bad input: missing, a link leading out
// of the workspace, not a regular file, too large, unreadable; anything
// else (I/O) is returned wrapped and makes the run undecided.
func (in *Inputs) FileError(name string, err error) error {
	return FileInputError(name, in.Raw(name), err)
}

// FileInputError is [Inputs.FileError] for a file the gate found through
// an input rather than one the input names (the bundle beside an
// artifact): it names input and value, the file's workspace-relative
// name. An error that is not a problem of the file is returned wrapped.
func FileInputError(input, value string, err error) error {
	var problem string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		problem = "does not exist"
	case errors.Is(err, fsroot.ErrEscapes):
		problem = "leads outside the workspace (through a symbolic link or \"..\")"
	case errors.Is(err, fsroot.ErrNotRegular):
		problem = "is not a regular file"
	case errors.Is(err, fsroot.ErrTooLarge):
		problem = "is a " + errors.Unwrap(err).Error()
	case errors.Is(err, fs.ErrPermission):
		problem = "cannot be read: permission denied"
	default:
		return fmt.Errorf("reading input %q (%q): %w", input, value, err)
	}
	return &InputError{Input: input, Value: value, Problem: problem, Err: err}
}
