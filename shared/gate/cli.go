package gate

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// cliRequest is what the command line asked for.
type cliRequest struct {
	flags   map[string]string
	help    bool
	version bool
}

// parseArgs reads "--name=value", "--name value" and, for bool inputs, a bare
// "--name". Every input is a flag of the same name; there are no positional
// arguments.
func parseArgs(spec *Spec, args []string) (cliRequest, error) {
	req := cliRequest{flags: map[string]string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch a {
		case "-h", "-help", "--help":
			req.help = true
			continue
		case "--version":
			req.version = true
			continue
		}
		if !strings.HasPrefix(a, "--") || len(a) == 2 {
			return req, &InputError{Input: "command line", Value: a, Problem: "unexpected argument; inputs are given as --name=value (see --help)"}
		}
		name, value, hasValue := strings.Cut(a[2:], "=")
		decl, ok := spec.input(name)
		if !ok {
			return req, &InputError{Input: name, Value: a, Problem: fmt.Sprintf("not an input of %s (see --help)", spec.Name)}
		}
		if !hasValue {
			switch {
			case decl.Kind == Bool:
				value = "true"
			case i+1 < len(args) && !strings.HasPrefix(args[i+1], "--"):
				i++
				value = args[i]
			default:
				return req, &InputError{Input: name, Value: a, Problem: "needs a value (--" + name + "=value)"}
			}
		}
		if _, dup := req.flags[name]; dup {
			return req, &InputError{Input: name, Value: value, Problem: "given twice on the command line"}
		}
		req.flags[name] = value
	}
	return req, nil
}

// writeHelp prints the gate's usage: what it does, every input with its
// kind and default, and the exit codes.
func writeHelp(w io.Writer, spec *Spec) {
	fmt.Fprintf(w, "%s: %s\n\n%s\n\n", spec.Name, spec.Title, wrap(spec.Description, 78))
	fmt.Fprintf(w, "Usage: %s [--input=value ...]\n\n", spec.Name)
	fmt.Fprintf(w, "Inputs (in GitHub Actions they arrive as INPUT_<NAME> from the step's with:):\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, in := range spec.AllInputs() {
		kind := in.Kind.String()
		if in.Kind == Enum {
			kind = strings.Join(in.Values, "|")
		}
		extra := ""
		switch {
		case in.Required:
			extra = " (required)"
		case in.Default != "":
			extra = fmt.Sprintf(" (default %q)", in.Default)
		}
		fmt.Fprintf(tw, "  --%s\t%s\t%s%s\n", in.Name, kind, firstLine(in.Description), extra)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nOutputs:\n")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, o := range spec.AllOutputs() {
		fmt.Fprintf(tw, "  %s\t%s\n", o.Name, firstLine(o.Description))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nExit codes: 0 passed, 1 denied, 2 bad input or config, 3 could not decide.\n")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// wrap folds text at width on spaces, for help output.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		if n > 0 && n+1+len(word) > width {
			b.WriteByte('\n')
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
