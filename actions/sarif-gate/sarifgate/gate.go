package sarifgate

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sarif"
	"github.com/hubgates/hub/shared/version"
	"github.com/hubgates/hub/shared/waiver"
)

// The gate's inputs and outputs.
const (
	inputSARIF           = "sarif"
	inputBaseline        = "baseline"
	inputFailOn          = "fail-on"
	inputDefaultSeverity = "default-severity"
	inputSkipInvalid     = "skip-invalid"
	inputMaxFileMiB      = "max-file-mib"
	inputCategory        = "category"
	inputSARIFFile       = "sarif-file"

	outputResults    = "results"
	outputDuplicates = "duplicates"
	outputWaived     = "waived"
	outputBaseline   = "baseline"
	outputTrimmed    = "trimmed"
	outputSARIFFile  = "sarif-file"
)

// maxInput is the input that caps the severity s.
func maxInput(s finding.Severity) string { return "max-" + s.String() }

// budgeted are the severities with a max-<severity> input.
var budgeted = []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low}

var severityNames = []string{"critical", "high", "medium", "low", "info"}

// gateName is the gate's name: its folder and its configuration section.
const gateName = "sarif-gate"

// gateURL is the gate's README, where its own rules are documented.
const gateURL = "https://github.com/hubgates/hub/tree/main/actions/sarif-gate"

// ownRules are the rules of the gate's own findings: skipped inputs and
// the waivers themselves (sarif-gate reads no inline waivers, so not
// invalid-waiver).
var ownRules = append([]finding.Rule{InvalidRule}, slices.DeleteFunc(waiver.Rules(gateURL+"#"), func(r finding.Rule) bool {
	return r.ID == waiver.RuleInvalid
})...)

// InvalidRule reports a SARIF input skip-invalid left out.
var InvalidRule = finding.Rule{
	ID:       "invalid-sarif",
	Severity: finding.Medium,
	Summary:  "A SARIF input is not usable SARIF 2.1.0 and was skipped",
	Help: "The file is empty, not JSON, not SARIF, SARIF of another version, malformed or over max-file-mib, and skip-invalid is on, " +
		"so the gate went on without it: its results were not counted. Fix the step that writes it, or stop passing it to the gate.",
	HelpURI: gateURL + "#invalid-sarif",
}

// inputs declares the gate's inputs: what to read, the budget, how to
// normalize, where to write, and the waiver configuration.
func inputs() []gate.Input {
	ins := []gate.Input{
		{Name: inputSARIF, Kind: gate.List, Required: true,
			Description: "SARIF files, folders (every *.sarif below) or globs such as reports/**/*.sarif, relative to the workspace."},
		{Name: inputBaseline, Kind: gate.List,
			Description: "SARIF from the base branch (files, folders or globs). When given, results also in the baseline are reported but only new ones count toward the budget."},
		{Name: inputFailOn, Kind: gate.Enum, Values: severityNames, Default: "high",
			Description: "The lowest severity that denies: no result at or above it may remain. max-critical, max-high, max-medium and max-low override it per severity."},
	}
	ins = append(ins, budgetInputs()...)
	ins = append(ins, []gate.Input{
		{Name: inputDefaultSeverity, Kind: gate.Enum, Values: severityNames, Default: "high",
			Description: "Severity of a result that carries none (no security-severity, no severity property or tag, no level; gitleaks, some Semgrep rules). The summary counts how many fell back to it."},
		{Name: inputSkipInvalid, Kind: gate.Bool, Default: "false",
			Description: "false: a SARIF input that is empty, not JSON, not SARIF 2.1.0 or too large is bad input (exit 2). true: report it (rule invalid-sarif) and go on without it."},
		{Name: inputMaxFileMiB, Kind: gate.Int, Default: "256", Check: atLeastOne,
			Description: "Largest SARIF file read, in MiB; a larger one is treated as invalid (see skip-invalid)."},
		{Name: inputCategory, Kind: gate.String, Default: DefaultCategory, Check: validCategory,
			Description: "Category prefix for runs that have no automationDetails.id: such a run's category is <category>/<tool>/. Runs that have one keep it."},
		{Name: inputSARIFFile, Kind: gate.Path, AllowTemp: true, Default: "sarif-gate.sarif",
			Description: "Where to write the merged SARIF 2.1.0 log, relative to the workspace (or under RUNNER_TEMP), for github/codeql-action/upload-sarif (without a category input: every run carries its own)."},
	}...)
	return append(ins, waiver.Inputs()...)
}

func budgetInputs() []gate.Input {
	var ins []gate.Input
	for _, s := range budgeted {
		ins = append(ins, gate.Input{Name: maxInput(s), Kind: gate.Int, Check: atLeastMinusOne,
			Description: fmt.Sprintf("Most %s results allowed (not waived, and new when a baseline is given); -1 allows any number. Unset, fail-on decides: 0 at or above it, unlimited below.", s)})
	}
	return ins
}

func atLeastMinusOne(v any) error {
	if n, ok := v.(int); ok && n < Unlimited {
		return errors.New("want -1 (unlimited) or more")
	}
	return nil
}

func atLeastOne(v any) error {
	if n, ok := v.(int); ok && n < 1 {
		return errors.New("want 1 or more")
	}
	return nil
}

// Gate is sarif-gate: it reads the SARIF other tools wrote, applies one
// severity budget and writes one SARIF log code scanning accepts.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "one severity budget over every scanner's SARIF",
		Description: "Reads the SARIF 2.1.0 that any scanner wrote (Bandit, gosec, CodeQL, Semgrep, Trivy, Grype, ESLint, Ruff, zizmor, hub's own gates...), " +
			"normalizes every result's severity, removes duplicates, optionally keeps only results new against a baseline, and denies when a severity budget is exceeded. " +
			"It writes one SARIF log that code scanning accepts in a single upload: one run per tool, each with its own category, repository-relative paths, and within code scanning's limits.",
		Inputs: inputs(),
		Outputs: []gate.Output{
			{Name: "critical", Description: "Critical results counted toward the budget (not waived; new when a baseline is given)."},
			{Name: "high", Description: "High results counted toward the budget."},
			{Name: "medium", Description: "Medium results counted toward the budget."},
			{Name: "low", Description: "Low results counted toward the budget."},
			{Name: "info", Description: "Info results counted toward the budget."},
			{Name: outputResults, Description: "Results read, duplicates removed."},
			{Name: outputDuplicates, Description: "Duplicate results removed."},
			{Name: outputWaived, Description: "Results waived (by a waiver or by the tool's own suppression)."},
			{Name: outputBaseline, Description: "Results also present in the baseline."},
			{Name: outputTrimmed, Description: "Results left out of the output SARIF to stay within code scanning's limits (still counted)."},
			{Name: outputSARIFFile, Description: "Path of the merged SARIF log written, relative to the workspace."},
		},
	},
	Run: run,
}

func validCategory(v any) error {
	s, _ := v.(string)
	if strings.Trim(s, "/") == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' }) {
		return errors.New("want a category without spaces, such as sarif-gate")
	}
	return nil
}

// config is the gate's parsed inputs.
type config struct {
	budget      Budget
	opts        Options
	maxBytes    int64
	skipInvalid bool
	output      string
}

func parseConfig(in *gate.Inputs) (*config, error) {
	failOn, err := finding.ParseSeverity(in.String(inputFailOn))
	if err != nil {
		return nil, gate.BadInputf(inputFailOn, in.Raw(inputFailOn), "%v", err)
	}
	def, err := finding.ParseSeverity(in.String(inputDefaultSeverity))
	if err != nil {
		return nil, gate.BadInputf(inputDefaultSeverity, in.Raw(inputDefaultSeverity), "%v", err)
	}
	c := &config{
		budget:      NewBudget(failOn),
		maxBytes:    int64(in.Int(inputMaxFileMiB)) << 20,
		skipInvalid: in.Bool(inputSkipInvalid),
		output:      in.Path(inputSARIFFile),
		opts: Options{
			Workspace:       in.Env.Workspace,
			Repository:      in.Env.Repository,
			DefaultSeverity: def,
			Category:        in.String(inputCategory),
		},
	}
	for _, s := range budgeted {
		if in.Raw(maxInput(s)) != "" {
			c.budget[s] = in.Int(maxInput(s))
		}
	}
	return c, nil
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	defer tuneGC(in.Env.Getenv)()
	cfg, err := parseConfig(in)
	if err != nil {
		return nil, err
	}
	// A broken configuration file is bad input: say so before reading
	// anything else.
	setup, err := waiver.FromInputs(in, gateName, nil)
	if err != nil {
		return nil, err
	}
	files, sources, skipped, err := load(ctx, in, inputSARIF, cfg)
	if err != nil {
		return nil, err
	}
	if len(sources) == 0 {
		return nil, gate.BadInputf(inputSARIF, in.Raw(inputSARIF), "no usable SARIF file: all %d were skipped as invalid", len(skipped))
	}
	rep := Normalize(sources, cfg.opts)

	baseGiven := len(in.List(inputBaseline)) > 0
	var baseFiles []File
	var baseSources []Source
	var baseSkipped []Skipped
	baselineMatched := 0
	if baseGiven {
		baseFiles, baseSources, baseSkipped, err = load(ctx, in, inputBaseline, cfg)
		if err != nil {
			return nil, err
		}
		base := Normalize(baseSources, cfg.opts)
		dropResults(baseSources)
		baselineMatched = MarkBaseline(rep, base)
	}

	meta := applyWaivers(rep, setup)

	allSkipped := slices.Concat(skipped, baseSkipped)
	var own []finding.Finding
	for _, sk := range allSkipped {
		own = append(own, finding.Finding{
			Rule: InvalidRule.ID, Severity: InvalidRule.Severity, Path: sk.File.Name,
			Message:     fmt.Sprintf("%s %v; skipped (skip-invalid)", sk.File.Name, sk.Err),
			Fingerprint: finding.Fingerprint(InvalidRule.ID, sk.File.Name, ""),
		})
	}

	own = append(own, meta...)
	tally := Count(rep, baseGiven)
	hubRun, err := ownRun(cfg, own, sources[0].Name)
	if err != nil {
		return nil, err
	}
	out, err := Render(rep, WriteOptions{Baseline: baseGiven, Extra: []json.RawMessage{hubRun}})
	if err != nil {
		return nil, err
	}
	// Streamed through the root that holds it: never built in memory,
	// and no link can lead the write out of the workspace.
	root, rel := in.Root(inputSARIFFile)
	if err := root.MkdirAll(path.Dir(rel), 0o755); err != nil {
		return nil, fmt.Errorf("writing the SARIF log: %w", err)
	}
	err = root.Stream(rel, 0o644, false, func(w io.Writer) error {
		_, err := out.WriteTo(w)
		return err
	})
	out.release()
	if err != nil {
		return nil, fmt.Errorf("writing the SARIF log: %w", err)
	}
	outName := in.Env.Rel(cfg.output)

	res := &gate.Result{Outputs: map[string]string{}, Counters: map[string]int64{}}
	waived := 0
	var reported []*Item
	for _, it := range rep.Items() {
		if it.Suppression != nil && !it.NotAProblem {
			waived++
		}
		// Results already in the baseline, a tool's own suppressions and
		// pass results are tallied in the summary but are not this run's
		// findings; waived ones are, with their waiver.
		if it.NotAProblem || (baseGiven && it.Baseline) || (it.Suppression != nil && !it.Waived) {
			continue
		}
		reported = append(reported, it)
	}
	// In the runtime's order already: sorting pointers here is cheaper
	// than the runtime's stable sort moving 100,000 findings around.
	slices.SortStableFunc(reported, func(a, b *Item) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.RuleID, b.RuleID), cmp.Compare(a.Tool, b.Tool), cmp.Compare(a.Message, b.Message))
	})
	res.Findings = make([]finding.Finding, 0, len(reported)+len(own))
	for _, it := range reported {
		res.Findings = append(res.Findings, it.Finding())
	}
	res.Findings = append(res.Findings, own...)

	over := cfg.budget.Over(tally.Counted)
	res.Denied = len(over) > 0
	res.Reason = reason(cfg.budget, tally, over, len(rep.Runs))
	sum := &Summary{
		Tally: tally, Budget: cfg.budget, Baseline: baseGiven, Report: rep, Output: out,
		OutputName: outName, Skipped: allSkipped, DefaultSeverity: cfg.opts.DefaultSeverity,
	}
	for _, f := range files {
		sum.Files = append(sum.Files, f.Name)
	}
	for _, f := range baseFiles {
		sum.BaselineFiles = append(sum.BaselineFiles, f.Name)
	}
	res.Details = sum.Markdown()

	for _, s := range finding.Severities() {
		res.Outputs[s.String()] = strconv.Itoa(tally.Counted[s])
	}
	results := len(rep.Items())
	res.Outputs[outputResults] = strconv.Itoa(results)
	res.Outputs[outputDuplicates] = strconv.Itoa(rep.Duplicates)
	res.Outputs[outputWaived] = strconv.Itoa(waived)
	res.Outputs[outputBaseline] = strconv.Itoa(baselineMatched)
	res.Outputs[outputTrimmed] = strconv.Itoa(out.Trimmed)
	res.Outputs[outputSARIFFile] = outName

	for _, s := range append(sources, baseSources...) {
		res.Read = append(res.Read, evidence.Artifact{Path: s.Name, Digest: s.Log.Digest, Size: s.Log.Size})
	}
	res.Read = append(res.Read, setup.Read...)
	res.Counters["files"] = int64(len(sources))
	res.Counters["tools"] = int64(len(rep.Runs))
	res.Counters["results"] = int64(results)
	res.Counters["duplicates"] = int64(rep.Duplicates)
	res.Counters["trimmed"] = int64(out.Trimmed)
	res.Counters["skipped"] = int64(len(allSkipped))
	return res, nil
}

// dropResults lets the stored results of sources go once Normalize has
// taken what it needs (for the baseline, whose results are not written);
// the logs stay for their digests.
func dropResults(sources []Source) {
	for _, s := range sources {
		for _, r := range s.Log.Runs {
			r.results = nil
		}
	}
}

// load collects and reads the files an input names, turning problems with
// them into input errors (exit 2) and leaving I/O errors and parser
// crashes as they are (exit 3).
func load(ctx context.Context, in *gate.Inputs, input string, cfg *config) ([]File, []Source, []Skipped, error) {
	files, err := Collect(ctx, in.Env.Workspace, in.List(input), cfg.output)
	if err != nil {
		return nil, nil, nil, inputError(input, err)
	}
	for _, f := range files {
		if f.Path == cfg.output {
			return nil, nil, nil, gate.BadInputf(input, f.Name, "is the gate's own output (sarif-file): pass the scanners' SARIF instead")
		}
	}
	sources, skipped, err := LoadIn(ctx, in.Workspace(), files, cfg.maxBytes, cfg.skipInvalid)
	if err != nil {
		return nil, nil, nil, inputError(input, err)
	}
	return files, sources, skipped, nil
}

// inputError maps each *FileError about an unusable file or path to an
// input error naming the file; anything else is returned as it is.
func inputError(input string, err error) error {
	var errs []error
	for _, e := range flatten(err) {
		var fe *FileError
		if !errors.As(e, &fe) || !(IsInvalid(fe.Err) || !isIO(fe.Err)) {
			return err
		}
		errs = append(errs, &gate.InputError{Input: input, Value: fe.Path, Problem: fe.Err.Error(), Err: fe})
	}
	return errors.Join(errs...)
}

// isIO reports whether err is a failure to read rather than a problem with
// what was named: those leave the gate undecided.
func isIO(err error) bool {
	var pe *os.PathError
	return errors.As(err, &pe) || errors.Is(err, ErrCrash) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// ownRun is the run of the gate's own findings (skipped files, waivers),
// always written so that code scanning closes them once they are gone.
func ownRun(cfg *config, own []finding.Finding, anyFile string) (json.RawMessage, error) {
	finding.Sort(own)
	log, err := sarif.Build(sarif.Tool{Name: "hub/sarif-gate", Version: version.Version, InformationURI: gateURL},
		ownRules, own,
		sarif.WithCategory(strings.TrimRight(cfg.opts.Category, "/")+"/hub-sarif-gate"),
		sarif.WithDefaultPath(anyFile))
	if err != nil {
		return nil, fmt.Errorf("building the gate's own SARIF run: %w", err)
	}
	b, err := json.Marshal(log.Runs[0])
	if err != nil {
		return nil, fmt.Errorf("encoding the gate's own SARIF run: %w", err)
	}
	return b, nil
}

// applyWaivers applies the configuration's sarif-gate section to the
// report: rule settings first (a disabled rule's results are dropped, a
// severity setting replaces theirs), then the waivers, which suppress the
// results they match until they expire. It returns the findings about the
// waivers themselves (expired-waiver, unused-waiver), adjusted too.
func applyWaivers(rep *Report, setup *waiver.Setup) []finding.Finding {
	g := setup.Gate
	if len(g.Rules) > 0 {
		for _, t := range rep.Runs {
			kept := t.Items[:0]
			for _, it := range t.Items {
				adjusted := g.Adjust([]finding.Finding{it.Finding()})
				if len(adjusted) == 0 {
					continue
				}
				if adjusted[0].Severity != it.Severity {
					it.Severity, it.SeverityFrom = adjusted[0].Severity, FromConfig
				}
				kept = append(kept, it)
			}
			clear(t.Items[len(kept):])
			t.Items = kept
		}
	}
	var items []*Item
	var fs []finding.Finding
	for _, it := range rep.Items() {
		if it.NotAProblem {
			continue
		}
		items = append(items, it)
		fs = append(fs, it.Finding())
	}
	out, meta := setup.Policy.Apply(fs, g.Waivers, nil)
	for i, it := range items {
		if it.Suppression == nil && out[i].Suppression != nil {
			it.Suppression, it.Waived = out[i].Suppression, true
		}
	}
	return g.Adjust(meta)
}

// reason is the one line under the verdict.
func reason(b Budget, t *Tally, over []finding.Severity, tools int) string {
	counted := 0
	for _, n := range t.Counted {
		counted += n
	}
	if len(over) > 0 {
		var parts []string
		for _, s := range over {
			parts = append(parts, fmt.Sprintf("%d %s (budget %s)", t.Counted[s], s, b.Describe(s)))
		}
		return fmt.Sprintf("Over budget: %s; %d results counted from %d tool%s.", strings.Join(parts, ", "), counted, tools, plural(tools))
	}
	var parts []string
	for i := len(t.Counted) - 1; i >= 0; i-- {
		if t.Counted[i] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", t.Counted[i], finding.Severity(i)))
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("Within budget: no results counted from %d tool%s.", tools, plural(tools))
	}
	return fmt.Sprintf("Within budget: %s counted from %d tool%s.", strings.Join(parts, ", "), tools, plural(tools))
}
