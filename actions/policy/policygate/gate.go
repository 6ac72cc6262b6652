package policygate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

const gateName = "policy"

// The gate's inputs and outputs.
const (
	inputPolicy       = "policy"
	inputFiles        = "files"
	inputData         = "data"
	inputNamespaces   = "namespaces"
	inputCombine      = "combine"
	inputFailOnWarn   = "fail-on-warn"
	inputStrict       = "strict"
	inputCapabilities = "capabilities"
	inputRunTests     = "run-tests"
	inputTimeout      = "timeout"

	outputDenials     = "denials"
	outputWarnings    = "warnings"
	outputDocuments   = "documents"
	outputTestsPassed = "tests-passed"
	outputTestsFailed = "tests-failed"
	outputCoverage    = "coverage"
)

// The rules the gate's findings carry.
const (
	RuleDeny       = "policy-deny"
	RuleWarn       = "policy-warn"
	RuleTestFailed = "policy-test-failed"
)

const helpBase = "https://github.com/hubgates/hub/blob/main/actions/policy/README.md"

// Rules are the gate's rules, for SARIF.
var Rules = []finding.Rule{
	{ID: RuleDeny, Severity: finding.High, Summary: "A deny or violation rule of a policy produced a message.",
		Help: "Change the input so the policy's deny and violation rules produce nothing, or change the policy.", HelpURI: helpBase + "#rules"},
	{ID: RuleWarn, Severity: finding.Medium, Summary: "A warn rule of a policy produced a message.",
		Help: "Warnings deny only with fail-on-warn: true.", HelpURI: helpBase + "#rules"},
	{ID: RuleTestFailed, Severity: finding.High, Summary: "A unit test of the policy (a test_ rule in a *_test.rego file) failed.",
		Help: "Fix the policy or its test: a policy whose own tests fail decides nothing, so the inputs are not evaluated.", HelpURI: helpBase + "#policy-unit-tests"},
}

// Gate is the policy gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "evaluate Rego policies over workflows, SBOMs, provenance and evidence",
		Description: "Evaluates Rego policies (OPA, embedded) over JSON and YAML documents: workflows, SBOMs, provenance statements, evidence records or any configuration, " +
			"with conftest's conventions (deny, violation and warn rules; namespaces; exceptions; combine), so existing policies run unchanged. " +
			"The policy's own unit tests (*_test.rego) run first and a failing test denies. " +
			"Exit codes never blur: 1 is a denial (each message a finding at its file and line), 2 a policy that does not compile or an input that does not parse, " +
			"3 an evaluation that could not finish (conflicting rule outputs, a builtin error such as a failed http.send, a timeout), naming the rule and the input. " +
			"Policies cannot reach the network unless a capabilities file allows it.",
		Inputs: []gate.Input{
			{Name: inputPolicy, Kind: gate.List, Default: "policy",
				Description: "Rego files, directories or doublestar globs, relative to the workspace. Directories are searched for *.rego files; *_test.rego files hold the policy's unit tests."},
			{Name: inputFiles, Kind: gate.List,
				Description: "The documents to evaluate: JSON or YAML files, directories (searched for *.json, *.yaml and *.yml) or doublestar globs, relative to the workspace. A multi-document YAML file is evaluated one document at a time. Empty runs the policy's unit tests only."},
			{Name: inputData, Kind: gate.List,
				Description: "JSON or YAML data files or directories, loaded under data as OPA loads them: a file named here at the root, a file found in a directory under the path of its folders."},
			{Name: inputNamespaces, Kind: gate.List, Default: "main",
				Description: "The packages whose deny, violation and warn rules are evaluated, as conftest names them (main, kubernetes.admission). * evaluates every package that has such rules. A package that does not exist is an error."},
			{Name: inputCombine, Kind: gate.Bool, Default: "false",
				Description: "Evaluate all documents at once, as conftest --combine: input is a list of {path, contents}, one entry per document. A result places itself with _loc.file."},
			{Name: inputFailOnWarn, Kind: gate.Bool, Default: "false",
				Description: "Let warn rules deny too."},
			{Name: inputStrict, Kind: gate.Bool, Default: "true",
				Description: "Compile in OPA's strict mode: unused variables and imports, shadowed and deprecated names are errors."},
			{Name: inputCapabilities, Kind: gate.Path,
				Description: "An OPA capabilities file (JSON, as opa capabilities writes it) listing the built-in functions policies may call and, in allow_net, the hosts http.send may reach. Empty: every built-in of this OPA version except http.send and net.lookup_ip_addr."},
			{Name: inputRunTests, Kind: gate.Bool, Default: "true",
				Description: "Run the policy's unit tests (test_ rules) before evaluating, when there are any; a failing test denies and the documents are not evaluated."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "2m",
				Description: "The time the tests and the evaluation may take together; past it the gate cannot decide (exit 3) and says which rule over which input it was evaluating."},
		},
		Outputs: []gate.Output{
			{Name: outputDenials, Description: "Number of messages from deny and violation rules (and warn rules with fail-on-warn)."},
			{Name: outputWarnings, Description: "Number of messages from warn rules."},
			{Name: outputDocuments, Description: "Number of documents evaluated."},
			{Name: outputTestsPassed, Description: "Number of the policy's unit tests that passed."},
			{Name: outputTestsFailed, Description: "Number of the policy's unit tests that failed or errored."},
			{Name: outputCoverage, Description: "Percentage of the policy's lines the unit tests covered (one decimal), empty when no test ran."},
		},
		Rules: Rules,
	},
	Run: run,
}

// options are the parsed inputs of one run.
type options struct {
	policy, files, data []string
	namespaces          []string
	combine, failOnWarn bool
	strict, runTests    bool
	caps                *ast.Capabilities
	timeout             time.Duration
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	opts := options{
		policy: in.List(inputPolicy), files: in.List(inputFiles), data: in.List(inputData),
		namespaces: in.List(inputNamespaces), combine: in.Bool(inputCombine), failOnWarn: in.Bool(inputFailOnWarn),
		strict: in.Bool(inputStrict), runTests: in.Bool(inputRunTests), timeout: in.Duration(inputTimeout),
	}
	if len(opts.namespaces) == 0 {
		return nil, gate.BadInputf(inputNamespaces, in.Raw(inputNamespaces), "name at least one package, or *")
	}
	var read []evidence.Artifact
	opts.caps = DefaultCapabilities()
	if in.Path(inputCapabilities) != "" {
		b, err := in.ReadFile(inputCapabilities, 8<<20)
		if err != nil {
			return nil, err
		}
		if opts.caps, err = loadCapabilities(b); err != nil {
			return nil, gate.BadInputf(inputCapabilities, in.Raw(inputCapabilities), "not an OPA capabilities file: %v", err)
		}
		_, rel := in.Root(inputCapabilities)
		read = append(read, evidence.Artifact{Path: rel, Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))})
	}
	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()
	rep, err := Evaluate(ctx, in.Workspace(), opts)
	if err != nil {
		return nil, inputError(in, err)
	}
	rep.Read = append(read, rep.Read...)
	return rep.result(opts), nil
}

// inputError maps Evaluate's errors onto the inputs they came from: bad
// input and configuration exit 2, the rest (evaluation errors, I/O,
// timeouts) exit 3.
func inputError(in *gate.Inputs, err error) error {
	var pe *inputPatternError
	var ce *compileError
	var ne *namespaceError
	var de *dataError
	var ie *inputFileError
	switch {
	case errors.As(err, &pe):
		return &gate.InputError{Input: pe.input, Value: pe.pattern, Problem: pe.err.Error(), Err: err}
	case errors.As(err, &ce):
		return gate.BadConfig(err)
	case errors.As(err, &ne):
		return &gate.InputError{Input: inputNamespaces, Value: in.Raw(inputNamespaces), Problem: ne.problem, Err: err}
	case errors.As(err, &de):
		return gate.BadConfig(err)
	case errors.As(err, &ie):
		return &gate.InputError{Input: inputFiles, Value: ie.name, Problem: ie.problem(), Err: err}
	}
	return err
}

// inputPatternError is a pattern of one of the list inputs that names
// nothing usable.
type inputPatternError struct {
	input   string
	pattern string
	err     error
}

func (e *inputPatternError) Error() string {
	return fmt.Sprintf("input %q: %q %v", e.input, e.pattern, e.err)
}
func (e *inputPatternError) Unwrap() error { return e.err }

// inputFileError is an input document that cannot be read or parsed.
type inputFileError struct {
	name string
	err  error
}

func (e *inputFileError) Error() string { return fmt.Sprintf("input file %q: %v", e.name, e.err) }
func (e *inputFileError) Unwrap() error { return e.err }

func (e *inputFileError) problem() string {
	var pe *parseError
	if errors.As(e.err, &pe) {
		return "does not parse: " + excerptLong(pe.Error())
	}
	return statProblem(e.err)
}

func formatCoverage(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) }
