// Package gate is the runtime every hub gate shares: one declaration of a
// gate's inputs and outputs, strict input parsing, the exit-code contract,
// outputs, the step summary, annotations, SARIF, evidence and telemetry.
//
// A gate is a [Spec] plus a [RunFunc]. The gate's own package holds both and
// its main.go is one line:
//
//	func main() { os.Exit(gate.Main(audit.Gate)) }
//
// so the same code runs in the container, in "go run ./actions/<gate>", and in
// the testscript suite.
//
// # Exit codes
//
//   - 0 passed (or denied in warn mode)
//   - 1 denied: the gate found what it guards against
//   - 2 bad input or configuration: the message names the input and its value
//   - 3 could not decide: I/O, network, timeout, cancellation, internal error
//
// A panic inside a gate is recovered and reported as 3 with the gate's name;
// SIGTERM or SIGINT cancels the gate's context and the run ends with 3. Neither
// is ever reported as a pass or as a deny.
//
// # Waived findings
//
// A finding with a Suppression (set by package waiver) is still reported:
// in the log with its waiver, in its own "Waived" section of the summary,
// in the evidence and in SARIF as a suppressed result. It is not counted in
// the headline's findings, the findings output, telemetry's counts or the
// annotations, and finding.CountAtLeast, which gates deny on, skips it.
//
// # Environment
//
// The runtime reads the environment GitHub gives a container action
// (GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP,
// INPUT_<NAME>...) through an injected getenv, never os.Getenv, so tests run
// it against a fake environment. Outside GitHub Actions the workspace is the
// current directory and outputs are printed to standard output.
package gate
