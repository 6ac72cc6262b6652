package sbomgate

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
)

// Size limits of what the gate reads.
const (
	maxSBOMBytes   = 512 << 20
	maxReportBytes = 512 << 20
	maxVEXBytes    = 64 << 20
	maxBundleBytes = 16 << 20
	maxKEVBytes    = 64 << 20
	maxEPSSFile    = 128 << 20
)

// file is a workspace file the gate read.
type file struct {
	name string // workspace-relative, forward slashes
	data []byte
}

func (f file) artifact() evidence.Artifact { return artifact(f.name, f.data) }

// readPathInput reads the file a Path input names.
func readPathInput(in *gate.Inputs, name string, max int64) (file, error) {
	b, err := in.ReadFile(name, max)
	if err != nil {
		return file{}, err
	}
	return file{name: in.Env.Rel(in.Path(name)), data: b}, nil
}

// readListInput reads every file a List input names: workspace-relative
// paths or doublestar globs. A path that does not exist, or a glob that
// matches nothing, is bad input. Each file is read once, in the order
// given (a glob's matches sorted).
func readListInput(in *gate.Inputs, name string, max int64) ([]file, error) {
	ws := in.Workspace()
	var out []file
	seen := map[string]bool{}
	for _, item := range in.List(name) {
		rel := strings.TrimPrefix(path.Clean(strings.ReplaceAll(item, "\\", "/")), "./")
		names := []string{rel}
		if strings.ContainsAny(rel, "*?[{") {
			matches, err := doublestar.Glob(ws.FS(), rel, doublestar.WithFilesOnly())
			if err != nil {
				return nil, &gate.InputError{Input: name, Value: item, Problem: "is not a valid glob", Err: err}
			}
			if len(matches) == 0 {
				return nil, &gate.InputError{Input: name, Value: item, Problem: "matches no file"}
			}
			slices.Sort(matches)
			names = matches
		}
		for _, n := range names {
			if seen[n] {
				continue
			}
			seen[n] = true
			b, err := ws.ReadFile(n, max)
			if err != nil {
				return nil, listFileError(name, n, err)
			}
			out = append(out, file{name: n, data: b})
		}
	}
	return out, nil
}

// listFileError names the input and the file for a file that cannot be
// read: its own problems are bad input, anything else (I/O) undecided.
func listFileError(input, name string, err error) error {
	var problem string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		problem = "does not exist"
	case errors.Is(err, fsroot.ErrEscapes):
		problem = "leads outside the workspace (through a symbolic link or \"..\")"
	case errors.Is(err, fsroot.ErrNotRegular):
		problem = "is not a regular file"
	case errors.Is(err, fsroot.ErrTooLarge):
		problem = "is too large"
	case errors.Is(err, fs.ErrPermission):
		problem = "cannot be read: permission denied"
	default:
		return fmt.Errorf("input %q: reading %q: %w", input, name, err)
	}
	return &gate.InputError{Input: input, Value: name, Problem: problem, Err: err}
}

// badFile is the bad-input error for a file that was read but is not what
// the input wants.
func badFile(input, name string, err error) error {
	return &gate.InputError{Input: input, Value: name, Problem: err.Error(), Err: err}
}

// readSBOMFile parses an SBOM file, naming the input on failure.
func readSBOMFile(input string, f file) (*SBOM, error) {
	s, err := ParseSBOM(f.name, f.data)
	if err != nil {
		return nil, badFile(input, f.name, err)
	}
	return s, nil
}

func validRegexp(v any) error {
	if _, err := regexp.Compile(v.(string)); err != nil {
		return fmt.Errorf("not a regular expression: %v", err)
	}
	return nil
}
