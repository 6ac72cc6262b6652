package sarifgate

import (
	"errors"
	"fmt"
)

// Why a SARIF file cannot be used. Each is wrapped with the details of the
// file, so callers compare with errors.Is and print the error as is.
var (
	// ErrEmpty: the file holds nothing, or only white space.
	ErrEmpty = errors.New("is empty")
	// ErrNotJSON: the file is not well-formed JSON.
	ErrNotJSON = errors.New("is not valid JSON")
	// ErrNotSARIF: the file is JSON but not a SARIF log (no "version" and
	// "runs", or not an object at all).
	ErrNotSARIF = errors.New("is not a SARIF log")
	// ErrVersion: the file is SARIF of a version other than 2.1.0, the
	// only one code scanning accepts.
	ErrVersion = errors.New("is not SARIF 2.1.0")
	// ErrMalformed: the file claims SARIF 2.1.0 but a part the gate needs
	// has the wrong shape (runs not an array, a run without a tool name, a
	// line number that is a string...).
	ErrMalformed = errors.New("is malformed SARIF")
	// ErrTooLarge: the file is larger than the gate's size cap.
	ErrTooLarge = errors.New("is too large")
	// ErrNoMatch: a glob matched no file.
	ErrNoMatch = errors.New("matches no file")
	// ErrOutsideWorkspace: a path resolves outside the workspace.
	ErrOutsideWorkspace = errors.New("resolves outside the workspace")
	// ErrCrash: the parser itself failed (a bug in hub). It is never
	// treated as bad input: the gate cannot decide and says so.
	ErrCrash = errors.New("internal error while parsing")
)

// invalidErrors are the sentinels that mean "this file is not usable
// SARIF", which skip-invalid may skip; I/O errors and ErrCrash are not
// among them.
var invalidErrors = []error{ErrEmpty, ErrNotJSON, ErrNotSARIF, ErrVersion, ErrMalformed, ErrTooLarge}

// IsInvalid reports whether err says a file is not usable SARIF (as
// opposed to an I/O failure or a crash of the parser).
func IsInvalid(err error) bool {
	if errors.Is(err, ErrCrash) {
		return false
	}
	for _, s := range invalidErrors {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// FileError names the file a problem is about. Path is the path as the
// user wrote or matched it (workspace-relative).
type FileError struct {
	Path string
	Err  error
}

// Error renders "<path> <problem>": "a.sarif is not valid JSON: ...".
func (e *FileError) Error() string { return fmt.Sprintf("%s %v", e.Path, e.Err) }

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }
