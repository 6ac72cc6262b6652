package gate

import (
	"fmt"
	"sort"
	"strings"
	"time"
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
}

// parseInputs reads every declared input: the command line first, then
// INPUT_<NAME> from the environment, then the default. It collects every
// problem so a user fixes them all in one go.
func parseInputs(spec *Spec, env Env, getenv func(string) string, flags map[string]string) (*Inputs, []error) {
	in := &Inputs{Env: env, spec: spec, raw: map[string]string{}, values: map[string]any{}, given: map[string]bool{}}
	var errs []error
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
		} else {
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
			roots := []string{env.Workspace}
			if decl.AllowTemp {
				roots = append(roots, env.RunnerTemp)
			}
			v, err = resolvePath(env.Workspace, text, roots)
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
// INPUT_<NAME>) rather than left to its default: a gate may treat a missing
// default file as "none" but a missing file the user named as an error.
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
