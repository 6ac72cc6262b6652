package waiver

import (
	"errors"
	"strconv"
)

// Sentinel errors. Errors from [Policy.Parse], [Policy.Load], [Policy.Check]
// and [GateConfig.CheckRules] wrap one of them; test with errors.Is.
var (
	// ErrSyntax means the file is not YAML hub can read: a syntax error,
	// several documents, anchors or aliases, or the wrong kind of node.
	ErrSyntax = errors.New("invalid configuration syntax")
	// ErrUnknownKey means a mapping holds a key hub does not know: a typo
	// must not silently turn a setting off.
	ErrUnknownKey = errors.New("unknown key")
	// ErrMissing means a required key is absent or empty.
	ErrMissing = errors.New("missing value")
	// ErrBadValue means a value does not parse (a date, a severity, a
	// line number, a glob).
	ErrBadValue = errors.New("invalid value")
	// ErrVersion means the file's version is not one this hub reads.
	ErrVersion = errors.New("unsupported configuration version")
	// ErrTooLong means a waiver expires more than the policy's maximum
	// number of days after today.
	ErrTooLong = errors.New("waiver runs longer than allowed")
	// ErrUnknownRule means a rule setting or waiver names a rule the gate
	// does not have.
	ErrUnknownRule = errors.New("unknown rule")
)

// ParseError is one problem in a configuration file, with the place it is
// written. Its message has the form "<path>:<line>: <problem>".
type ParseError struct {
	Path string // the file as the gate names it, repository-relative
	Line int    // 1-based; 0 when the problem concerns the whole file
	Err  error  // what is wrong; wraps one of the sentinel errors
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return e.Path + ":" + strconv.Itoa(e.Line) + ": " + e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// Unwrap returns the underlying problem.
func (e *ParseError) Unwrap() error { return e.Err }
