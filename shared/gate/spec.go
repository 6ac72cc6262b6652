package gate

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/hubgates/hub/shared/finding"
)

// RunFunc is a gate's logic: a pure function of its parsed inputs and the
// runner environment. It returns the findings and the verdict as data; a
// returned error means the gate could not decide ([Undecided]), unless it is
// an [InputError] or a [ConfigError] ([BadInput]).
type RunFunc func(ctx context.Context, in *Inputs) (*Result, error)

// Spec declares a gate: its name (the folder under actions/), what it does,
// its own inputs and outputs, and the rules its findings can carry. The
// runtime adds the inputs and outputs every gate shares (see [CommonInputs]
// and [CommonOutputs]).
type Spec struct {
	Name        string
	Title       string // a short title for action.yml's name field
	Description string // one paragraph; the first sentence is the summary
	Inputs      []Input
	Outputs     []Output
	// Rules lists every rule the gate reports. A gate with rules also gets
	// the sarif-file input and output: its findings are written as SARIF.
	Rules []finding.Rule
	// SARIFCategory is the default of the category input, the code
	// scanning category of the gate's SARIF run; empty means the gate's
	// name.
	SARIFCategory string
}

// Gate is a declared, runnable gate.
type Gate struct {
	Spec Spec
	Run  RunFunc
}

// The inputs every gate accepts. Their names are reserved.
const (
	InputMode           = "mode"
	InputEvidenceDir    = "evidence-dir"
	InputTelemetryFile  = "telemetry-file"
	InputMaxAnnotations = "max-annotations"
	InputMaxLogFindings = "max-log-findings"
	InputSARIFFile      = "sarif-file"
	InputCategory       = "category"
)

// The outputs every gate sets. Their names are reserved.
const (
	OutputVerdict      = "verdict"
	OutputFindings     = "findings"
	OutputEvidenceFile = "evidence-file"
	OutputSARIFFile    = "sarif-file"
)

// tempNote says where RUNNER_TEMP works: the runner does not mount it into
// a container action, so there a path under it is refused (exit 2).
const tempNote = "A path under RUNNER_TEMP works only where the gate can see that folder (go run, or docker run with it mounted); inside a container action it cannot, so use a workspace path there."

// defaultMaxLogFindings is the default of max-log-findings.
const defaultMaxLogFindings = 100

// CommonInputs returns the inputs the runtime adds to every gate, after the
// gate's own. withSARIF adds sarif-file and category (whose default is the
// gate's name).
func CommonInputs(gateName string, withSARIF bool) []Input {
	ins := []Input{
		{Name: InputMode, Kind: Enum, Values: []string{"enforce", "warn"}, Default: "enforce",
			Description: "enforce fails the step when the gate denies; warn reports everything, exits 0 and says in the summary what enforce would have done."},
	}
	if withSARIF {
		ins = append(ins, Input{Name: InputSARIFFile, Kind: Path, AllowTemp: true, Default: gateName + ".sarif",
			Description: "Where to write the SARIF 2.1.0 log, relative to the workspace, for github/codeql-action/upload-sarif. " + tempNote},
			Input{Name: InputCategory, Kind: String, Default: gateName, Check: validCategory,
				Description: "The code scanning category of the SARIF run (runs.automationDetails.id): uploads with different categories keep separate alerts, so give each invocation of the gate in a repository its own."})
	}
	return append(ins,
		Input{Name: InputEvidenceDir, Kind: Path, AllowTemp: true,
			Description: "Directory to write this run's evidence JSON into (inputs minus secrets, verdict, findings, digests of what was read), relative to the workspace. Empty writes none. " + tempNote},
		Input{Name: InputTelemetryFile, Kind: Path, AllowTemp: true,
			Description: "NDJSON file to append this run's telemetry event to, relative to the workspace. Empty writes none. " + tempNote},
		Input{Name: InputMaxAnnotations, Kind: Int, Default: "10", Check: nonNegative,
			Description: "Most findings to annotate on files; the rest are counted in one notice. GitHub shows at most 10 of each level per step."},
		Input{Name: InputMaxLogFindings, Kind: Int, Default: strconv.Itoa(defaultMaxLogFindings), Check: nonNegative,
			Description: "Most findings to print in the log; the rest are counted in one line. The step summary, the SARIF log and the evidence list every finding."},
	)
}

// CommonOutputs returns the outputs the runtime sets for every gate.
func CommonOutputs(withSARIF bool) []Output {
	outs := []Output{
		{Name: OutputVerdict, Description: "passed, denied, bad-input or undecided (denied in warn mode too, though the step passes)."},
		{Name: OutputFindings, Description: "Number of findings, not counting waived ones (those are listed in the summary and carry a suppression in SARIF)."},
		{Name: OutputEvidenceFile, Description: "Path of the evidence JSON written, when evidence-dir is set."},
	}
	if withSARIF {
		outs = append(outs, Output{Name: OutputSARIFFile, Description: "Path of the SARIF log written, relative to the workspace."})
	}
	return outs
}

// validCategory accepts what code scanning accepts as a category: text
// without whitespace or control characters that is more than slashes.
func validCategory(v any) error {
	s, _ := v.(string)
	switch {
	case strings.Trim(s, "/") == "":
		return errors.New("want a category such as workflow-audit or hub/workflow-audit")
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return errors.New("want a category without spaces or control characters")
	}
	return nil
}

func nonNegative(v any) error {
	if n, ok := v.(int); ok && n < 0 {
		return errors.New("want zero or more")
	}
	return nil
}

// AllInputs returns the gate's own inputs followed by the common ones, the
// category defaulting to SARIFCategory when that is set.
func (s *Spec) AllInputs() []Input {
	common := CommonInputs(s.Name, len(s.Rules) > 0)
	for i := range common {
		if common[i].Name == InputCategory && s.SARIFCategory != "" {
			common[i].Default = s.SARIFCategory
		}
	}
	return append(append([]Input(nil), s.Inputs...), common...)
}

// AllOutputs returns the gate's own outputs followed by the common ones.
func (s *Spec) AllOutputs() []Output {
	return append(append([]Output(nil), s.Outputs...), CommonOutputs(len(s.Rules) > 0)...)
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// Validate checks the declaration itself: names well formed and unique,
// descriptions present, defaults that parse, enums with values, rules with
// ids. It collects every problem instead of stopping at the first.
func (s *Spec) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !nameRE.MatchString(s.Name) {
		bad("gate name %q: want lower-case words joined by dashes", s.Name)
	}
	if strings.TrimSpace(s.Description) == "" {
		bad("gate %q: description is empty", s.Name)
	}
	seen := map[string]bool{}
	for _, in := range s.AllInputs() {
		if !nameRE.MatchString(in.Name) {
			bad("input %q: want lower-case words joined by dashes", in.Name)
		}
		if seen[in.Name] {
			bad("input %q: declared twice (or clashes with a common input)", in.Name)
		}
		seen[in.Name] = true
		if strings.TrimSpace(in.Description) == "" {
			bad("input %q: description is empty", in.Name)
		}
		if in.Kind == Enum && len(in.Values) == 0 {
			bad("input %q: enum without values", in.Name)
		}
		if in.Required && in.Default != "" {
			bad("input %q: required inputs take no default", in.Name)
		}
		if in.Default != "" && in.Kind != Path {
			v, err := in.parse(in.Default)
			if err == nil && in.Check != nil {
				err = in.Check(v)
			}
			if err != nil {
				bad("input %q: default %q: %v", in.Name, in.Default, err)
			}
		}
	}
	seenOut := map[string]bool{}
	for _, out := range s.AllOutputs() {
		if !nameRE.MatchString(out.Name) {
			bad("output %q: want lower-case words joined by dashes", out.Name)
		}
		if seenOut[out.Name] {
			bad("output %q: declared twice (or clashes with a common output)", out.Name)
		}
		seenOut[out.Name] = true
		if strings.TrimSpace(out.Description) == "" {
			bad("output %q: description is empty", out.Name)
		}
	}
	seenRule := map[string]bool{}
	for _, r := range s.Rules {
		if !nameRE.MatchString(r.ID) || seenRule[r.ID] {
			bad("rule %q: want a unique lower-case id", r.ID)
		}
		seenRule[r.ID] = true
		if r.Summary == "" || r.Help == "" {
			bad("rule %q: summary and help are required", r.ID)
		}
	}
	return errors.Join(errs...)
}

// input returns the declaration of the named input.
func (s *Spec) input(name string) (Input, bool) {
	for _, in := range s.AllInputs() {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}

// hasOutput reports whether the named output is declared.
func (s *Spec) hasOutput(name string) bool {
	for _, o := range s.AllOutputs() {
		if o.Name == name {
			return true
		}
	}
	return false
}

// RunnerInputs returns what the GitHub Actions runner sets for a step that
// gives the gate no "with:": INPUT_<NAME> for every input declared with a
// default, holding the default. Tests run gates with it, as the runner
// does, so an input that misbehaves at its own default cannot pass unseen.
func RunnerInputs(s *Spec) map[string]string {
	env := map[string]string{}
	for _, in := range s.AllInputs() {
		if in.Default != "" {
			env[inputEnvName(in.Name)] = in.Default
		}
	}
	return env
}

// InputOperation is the input of a gate with several operations that
// chooses one: every such gate names it the same way (mode stays
// enforce|warn everywhere).
const InputOperation = "operation"

// OperationInput declares a gate's operation input: required, one of ops,
// with the description saying what each does.
func OperationInput(description string, ops ...string) Input {
	return Input{Name: InputOperation, Kind: Enum, Values: ops, Required: true, Description: description}
}
