package gate

// ExitCode is the process exit status of a gate run; the values are the same
// for every gate and are part of hub's public contract.
type ExitCode int

// The exit codes, in the order the README documents them.
const (
	// Passed means the gate checked everything and found nothing it guards
	// against (or found it in warn mode).
	Passed ExitCode = 0
	// Denied means the gate found what it guards against.
	Denied ExitCode = 1
	// BadInput means an input or a configuration file is invalid.
	BadInput ExitCode = 2
	// Undecided means the gate could not reach a verdict: I/O, network,
	// timeout, cancellation or an internal error.
	Undecided ExitCode = 3
)

// Verdict is the word the summary, outputs, evidence and telemetry use for
// an exit code.
func (c ExitCode) Verdict() string {
	switch c {
	case Passed:
		return "passed"
	case Denied:
		return "denied"
	case BadInput:
		return "bad-input"
	default:
		return "undecided"
	}
}
