package runnersim

import (
	"fmt"
	"strings"
)

// Output is one name and value set in a file command.
type Output struct {
	Name, Value string
}

// ParseOutputFile reads the content of a GITHUB_OUTPUT or GITHUB_ENV file
// as the runner does on Linux, returning every assignment in order (a
// later one for the same name wins in the runner). Lines end at LF only; a
// CR stays part of the line, so it neither ends a value nor matches a
// delimiter. A block without its closing delimiter, or a line of neither
// form, is an error: the runner fails the step on it.
func ParseOutputFile(content string) ([]Output, error) {
	var out []Output
	lines := strings.Split(content, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line == "" {
			continue
		}
		eq := strings.Index(line, "=")
		hd := strings.Index(line, "<<")
		switch {
		case eq >= 0 && (hd < 0 || eq < hd):
			name := line[:eq]
			if name == "" {
				return nil, fmt.Errorf("line %d: empty name", i+1)
			}
			out = append(out, Output{Name: name, Value: line[eq+1:]})
		case hd >= 0:
			name, delim := line[:hd], line[hd+2:]
			if name == "" || delim == "" {
				return nil, fmt.Errorf("line %d: empty name or delimiter", i+1)
			}
			var val []string
			closed := false
			for i++; i < len(lines); i++ {
				l := lines[i]
				if l == delim {
					closed = true
					break
				}
				val = append(val, l)
			}
			if !closed {
				return nil, fmt.Errorf("output %q: matching delimiter %q not found", name, delim)
			}
			out = append(out, Output{Name: name, Value: strings.Join(val, "\n")})
		default:
			return nil, fmt.Errorf("line %d: neither name=value nor name<<delimiter: %q", i+1, line)
		}
	}
	return out, nil
}

// OutputMap is ParseOutputFile's result as a map, the last assignment of a
// name winning, as in the runner.
func OutputMap(content string) (map[string]string, error) {
	outs, err := ParseOutputFile(content)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(outs))
	for _, o := range outs {
		m[o.Name] = o.Value
	}
	return m, nil
}
