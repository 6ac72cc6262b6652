package gate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind is how an input's text is parsed.
type Kind int

// The input kinds.
const (
	// String is free text.
	String Kind = iota
	// Bool is exactly "true" or "false".
	Bool
	// Int is a base-10 integer.
	Int
	// Duration is a Go duration such as "90s" or "2m".
	Duration
	// List is items separated by newlines or commas, trimmed, empties dropped.
	List
	// Enum is one of Input.Values.
	Enum
	// Path is a file or directory that must resolve inside GITHUB_WORKSPACE
	// (or, with Input.AllowTemp, inside RUNNER_TEMP); ".." and symlinks that
	// escape are refused.
	Path
	// Secret is text that is masked in the log before anything can print it
	// and redacted from evidence.
	Secret
)

var kindNames = [...]string{"string", "bool", "int", "duration", "list", "enum", "path", "secret"}

// String returns the kind's name as the generated docs show it.
func (k Kind) String() string {
	if k < String || k > Secret {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return kindNames[k]
}

// Input declares one input of a gate. The same declaration produces the
// gate's action.yml inputs, its README table, its command-line flags and its
// parser.
type Input struct {
	Name        string
	Description string
	Kind        Kind
	Required    bool
	// Default is the text used when the input is empty. It is parsed like
	// any given value, so a bad default is caught by Spec.Validate.
	Default string
	// Values lists the allowed values of an Enum.
	Values []string
	// AllowTemp also accepts a Path under RUNNER_TEMP, for files the gate
	// writes for later steps (evidence, telemetry) rather than reads.
	AllowTemp bool
	// Check, when set, validates the parsed value (string, bool, int,
	// time.Duration, []string or the resolved path) and returns the problem.
	Check func(v any) error
}

// parse turns text into the input's typed value. Path resolution needs the
// environment, so it happens in resolvePath; here a Path is only cleaned.
func (in Input) parse(text string) (any, error) {
	switch in.Kind {
	case String, Secret, Path:
		return text, nil
	case Bool:
		switch text {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("want true or false")
	case Int:
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return nil, fmt.Errorf("want a whole number")
		}
		return n, nil
	case Duration:
		d, err := time.ParseDuration(strings.TrimSpace(text))
		if err != nil {
			return nil, fmt.Errorf("want a duration such as 90s or 2m")
		}
		if d <= 0 {
			return nil, fmt.Errorf("want a positive duration")
		}
		return d, nil
	case List:
		return splitList(text), nil
	case Enum:
		v := strings.TrimSpace(text)
		if !slices.Contains(in.Values, v) {
			return nil, fmt.Errorf("want one of %s", strings.Join(in.Values, ", "))
		}
		return v, nil
	}
	return nil, fmt.Errorf("input kind %v is not supported", in.Kind)
}

// splitList splits on newlines and commas, trims space and drops empties,
// which is how YAML block scalars and one-line lists both arrive.
func splitList(text string) []string {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' })
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Output declares one output of a gate.
type Output struct {
	Name        string
	Description string
}
