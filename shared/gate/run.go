package gate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/version"
)

// Process is what a gate run takes from its process: arguments, environment
// and output streams. [Main] fills it from the real process; tests inject
// their own.
type Process struct {
	Args   []string // without the program name
	Getenv func(string) string
	// Environ lists "KEY=value" pairs; it is used only to find INPUT_
	// variables that name no declared input.
	Environ []string
	Stdout  io.Writer
	Stderr  io.Writer
	Cwd     string
	Now     func() time.Time
	// Grace is how long a cancelled gate may take to return before the
	// run is reported as undecided anyway. Zero means 5 seconds.
	Grace time.Duration
}

// Main runs g as the current process and returns its exit code: SIGTERM and
// SIGINT cancel the gate's context. A gate's main.go is
//
//	func main() { os.Exit(gate.Main(mygate.Gate)) }
func Main(g *Gate) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: reading the working directory: %v\n", g.Spec.Name, err)
		return int(Undecided)
	}
	// One buffer for the log and the workflow commands keeps their order
	// and spares a system call per line on runs with thousands of findings.
	stdout := bufio.NewWriterSize(os.Stdout, 64*1024)
	defer stdout.Flush()
	return int(Execute(ctx, g, Process{
		Args: os.Args[1:], Getenv: os.Getenv, Environ: os.Environ(),
		Stdout: stdout, Stderr: os.Stderr, Cwd: cwd, Now: time.Now,
	}))
}

// run is the state of one gate run, filled in as it goes.
type run struct {
	gate    *Gate
	proc    Process
	action  *githubactions.Action
	env     Env
	inputs  *Inputs
	print   *printer
	secrets []string

	started  time.Time
	finished time.Time
	mode     string
	code     ExitCode
	err      error // why the run is bad-input or undecided
	result   *Result
	sarifRel string

	splitDone          bool // activeFs and waivedFs are set
	activeFs, waivedFs []finding.Finding
	evidence           string
}

// Execute runs g once against proc and returns the exit code. It never
// panics: a panic in the gate is recovered and reported as [Undecided].
func Execute(ctx context.Context, g *Gate, proc Process) ExitCode {
	if proc.Now == nil {
		proc.Now = time.Now
	}
	if proc.Grace == 0 {
		proc.Grace = 5 * time.Second
	}
	r := &run{gate: g, proc: proc, started: proc.Now(), mode: "enforce"}
	r.print = newPrinter(proc.Stdout, proc.Stderr, r.redact, proc.Getenv("GITHUB_ACTIONS") == "true")
	spec := &g.Spec
	if err := spec.Validate(); err != nil {
		r.printError(fmt.Errorf("invalid gate declaration (a bug in hub): %w", err))
		return Undecided
	}
	req, err := parseArgs(spec, proc.Args)
	switch {
	case err != nil:
		r.printError(err)
		return BadInput
	case req.help:
		writeHelp(proc.Stdout, spec)
		return Passed
	case req.version:
		fmt.Fprintf(proc.Stdout, "%s %s\n", spec.Name, version.Version)
		return Passed
	}
	r.action = githubactions.New(githubactions.WithGetenv(proc.Getenv), githubactions.WithWriter(r.print.commands()))
	r.env, err = newEnv(proc.Getenv, proc.Cwd)
	if err != nil {
		r.printError(err)
		return BadInput
	}
	r.env.Now = r.started
	inputs, errs := parseInputs(spec, r.env, proc.Getenv, req.flags)
	r.inputs = inputs
	defer inputs.close()
	r.maskSecrets()
	errs = append(errs, unknownInputs(spec, proc.Environ)...)
	if m, ok := inputs.values[InputMode].(string); ok && m != "" {
		r.mode = m
	}
	if len(errs) > 0 {
		r.fail(BadInput, errors.Join(errs...))
	} else {
		r.execute(ctx)
	}
	r.finished = proc.Now()
	r.emit()
	return r.code
}

// maskSecrets registers every secret with the runner before anything else
// is printed; the printer redacts them from everything it prints, which
// is all a local run has.
func (r *run) maskSecrets() {
	r.secrets = r.inputs.secrets()
	if r.env.InActions {
		for _, s := range r.secrets {
			for _, line := range splitLines(s) {
				if strings.TrimSpace(line) != "" {
					r.action.AddMask(line)
				}
			}
		}
	}
}

// printError prints an error that ends a run before the gate starts, one
// line at a time.
func (r *run) printError(err error) {
	for _, line := range splitLines(err.Error()) {
		r.print.Error(r.gate.Spec.Name + ": " + line)
	}
}

// redact replaces every secret input's value with "***".
func (r *run) redact(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "***")
	}
	return s
}

// unknownInputs reports INPUT_ variables that match no declared input: a
// misspelt "with:" key would otherwise be silently ignored.
func unknownInputs(spec *Spec, environ []string) []error {
	known := map[string]bool{}
	for _, in := range spec.AllInputs() {
		known[inputEnvName(in.Name)] = true
	}
	var errs []error
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "INPUT_") && !known[k] {
			name := strings.ToLower(strings.TrimPrefix(k, "INPUT_"))
			errs = append(errs, &InputError{Input: name, Value: v, Problem: fmt.Sprintf("not an input of %s (set as %s)", spec.Name, k), Undeclared: true})
		}
	}
	return errs
}

func (r *run) fail(code ExitCode, err error) {
	r.code, r.err = code, err
}

// execute calls the gate, recovering panics and giving up on a cancelled
// gate after the grace period.
func (r *run) execute(ctx context.Context) {
	type outcome struct {
		res   *Result
		err   error
		stack []byte // of a panic
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{err: fmt.Errorf("internal error in gate %s: panic: %v", r.gate.Spec.Name, p), stack: debug.Stack()}
			}
		}()
		res, err := r.gate.Run(ctx, r.inputs)
		done <- outcome{res: res, err: err}
	}()
	var out outcome
	select {
	case out = <-done:
	case <-ctx.Done():
		select {
		case out = <-done:
		case <-time.After(r.proc.Grace):
			out = outcome{err: fmt.Errorf("gate %s did not stop within %v of being cancelled", r.gate.Spec.Name, r.proc.Grace)}
		}
	}
	if out.stack != nil {
		r.print.Error(r.gate.Spec.Name + ": " + out.err.Error())
		for _, line := range splitLines(string(out.stack)) {
			r.print.Error(line)
		}
	}
	switch {
	case ctx.Err() != nil:
		err := fmt.Errorf("cancelled before a verdict: %w", context.Cause(ctx))
		if out.err != nil && !errors.Is(out.err, context.Canceled) {
			err = fmt.Errorf("%w (the gate said: %v)", err, out.err)
		}
		r.fail(Undecided, err)
	case out.err != nil && isBadInput(out.err):
		r.fail(BadInput, out.err)
	case out.err != nil:
		r.fail(Undecided, out.err)
	case out.res == nil:
		r.fail(Undecided, fmt.Errorf("internal error in gate %s: no result and no error", r.gate.Spec.Name))
	default:
		r.accept(out.res)
	}
}

// accept checks a gate's result and turns it into the exit code.
func (r *run) accept(res *Result) {
	for name := range res.Outputs {
		if !r.gate.Spec.hasOutput(name) {
			r.fail(Undecided, fmt.Errorf("internal error in gate %s: undeclared output %q", r.gate.Spec.Name, name))
			return
		}
	}
	finding.Sort(res.Findings)
	r.result = res
	if err := r.writeSARIF(); err != nil {
		r.fail(Undecided, err)
		return
	}
	switch {
	case res.Denied && r.mode == "enforce":
		r.code = Denied
	default:
		r.code = Passed
	}
}

// verdict is the word for the outcome: a deny in warn mode is still
// "denied", though the step passes.
func (r *run) verdict() string {
	if r.result != nil && r.result.Denied && r.code == Passed {
		return Denied.Verdict()
	}
	return r.code.Verdict()
}
