package gate

import (
	"errors"
	"fmt"
)

// InputError reports an invalid input value; a run that returns one exits
// with [BadInput]. Its message has the form
//
//	input "<name>": <problem> (got "<value>")
//
// with the value left out when the input is a secret.
type InputError struct {
	Input   string // the input's name
	Value   string // the value as given
	Problem string // what is wrong, lower case
	Secret  bool   // the value must not be printed
	// Undeclared marks an INPUT_ variable that names no input: its value
	// is not printed either, since a misspelt secret input may hold one.
	Undeclared bool
	Err        error // the underlying cause, if any
}

func (e *InputError) Error() string {
	switch {
	case e.Secret:
		return fmt.Sprintf("input %q: %s (got a secret value)", e.Input, e.Problem)
	case e.Undeclared:
		return fmt.Sprintf("input %q: %s (its value is not shown: an undeclared input may hold a secret)", e.Input, e.Problem)
	}
	return fmt.Sprintf("input %q: %s (got %q)", e.Input, e.Problem, e.Value)
}

// Unwrap returns the underlying cause.
func (e *InputError) Unwrap() error { return e.Err }

// ConfigError reports an invalid configuration file or a combination of
// inputs that cannot work together; a run that returns one exits with
// [BadInput]. Gates wrap their parse errors in it.
type ConfigError struct {
	Err error
}

func (e *ConfigError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// BadConfig wraps err so that the run exits with [BadInput]. It returns nil
// for a nil err.
func BadConfig(err error) error {
	if err == nil {
		return nil
	}
	return &ConfigError{Err: err}
}

// BadInputf builds an [InputError] for the named input.
func BadInputf(input, value, format string, args ...any) error {
	return &InputError{Input: input, Value: value, Problem: fmt.Sprintf(format, args...)}
}

// isBadInput reports whether err means the caller gave bad input.
func isBadInput(err error) bool {
	var ie *InputError
	var ce *ConfigError
	return errors.As(err, &ie) || errors.As(err, &ce)
}
