package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/atomicfile"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/waiver"
)

// gateName is the gate's name, which is also its section in the
// configuration file.
const gateName = "workflow-audit"

// The gate's own inputs and outputs.
const (
	inputPaths         = "paths"
	inputAllowUnpinned = "allow-unpinned"
	inputFailOn        = "fail-on"
	inputPATPattern    = "pat-pattern"
	inputPersona       = "persona"
	inputForbiddenUses = "forbidden-uses"
	inputGitHubToken   = "github-token"
	inputGitHubAPIURL  = "github-api-url"
	inputTimeout       = "timeout"
	inputFix           = "fix"
	inputFixPatch      = "fix-patch"
	outputPinned       = "pinned"
	outputFiles        = "files"
	outputHigh         = "high"
)

// Gate is workflow-audit as a hub gate: it scans the workspace with [Scan]
// and denies when a finding at or above fail-on remains.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "audit GitHub workflows, actions and Dockerfiles",
		Description: "Audits GitHub Actions workflows, action.yml files and Dockerfiles for supply-chain risks: " +
			"actions, reusable workflows and images not pinned to a commit SHA or digest, known-compromised actions, " +
			"privileged triggers that run untrusted code, template injection, untrusted data in GITHUB_ENV, " +
			"excessive token permissions, inherited secrets and personal access tokens, persisted checkout credentials, " +
			"cache poisoning, self-hosted runners on fork-triggered workflows, release workflows without concurrency, " +
			"and files GitHub would reject. Findings carry exact positions and go to the log, annotations, the step summary and a SARIF log for code scanning. " +
			"A configuration file can turn rules off, change their severity and waive findings until a date, and files can waive their own lines in a comment.",
		Inputs: append([]gate.Input{
			{Name: inputPaths, Kind: gate.List,
				Description: "Files, directories or globs to scan, relative to the workspace. Empty scans .github/workflows/*.yml, every action.yml and every Dockerfile in the repository (testdata, vendor and node_modules folders aside)."},
			{Name: inputAllowUnpinned, Kind: gate.List,
				Description: "Owners (actions) or repositories (actions/checkout) whose actions and images may stay unpinned. Empty by default: everything must be pinned."},
			{Name: inputForbiddenUses, Kind: gate.List,
				Description: "Actions and reusable workflows that must not be used (forbidden-uses): owner/*, owner/repo (any path in it), owner/repo/path or owner/repo@ref, \"*\" within one component; an entry starting with \"!\" allows again what an earlier one forbade. Empty forbids nothing."},
			{Name: inputPATPattern, Kind: gate.String, Default: DefaultPATPattern, Check: checkPATPattern,
				Description: "Regular expression (Go syntax) matched against secret names to spot personal access tokens handed to token inputs (pat-usage)."},
			{Name: inputPersona, Kind: gate.Enum, Values: personaNames, Default: "regular",
				Description: "How much to report, as zizmor's personas: regular reports what is worth fixing in any repository; pedantic adds findings that are risky only in some setups (runner labels the audit does not know, artifact uploads beside a checkout that keeps its token, code smells); auditor adds the strict definitions a security review lists (every pull_request_target, every checkout that keeps its credentials)."},
			{Name: inputGitHubToken, Kind: gate.Secret,
				Description: "A GitHub token (the job's GITHUB_TOKEN is enough) for the online rules: impostor-commit, ref-confusion, ref-version-mismatch, stale-action-refs, archived-uses and known-vulnerable-actions ask the GitHub API about the repositories uses: names, and fix: pin resolves tags to commits. Never required: without it those rules say they did not run."},
			{Name: inputGitHubAPIURL, Kind: gate.String,
				Description: "The GitHub REST API the online rules ask. Empty means the runner's GITHUB_API_URL, or https://api.github.com outside Actions (set it for GitHub Enterprise Server)."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "2m",
				Description: "How long the online rules and fix mode may spend asking the GitHub API, in all. When a lookup that could change the verdict cannot be answered in time (or the rate limit is spent), the gate exits 3."},
			{Name: inputFix, Kind: gate.Enum, Values: []string{"none", "pin"}, Default: "none",
				Description: "pin rewrites every uses: not pinned to a full commit SHA to the commit its tag or branch names, keeping the tag as a comment and the rest of the file as it was (needs github-token), writes the change as a patch to fix-patch and lists it in the summary; the audit then runs on the rewritten files. none changes nothing."},
			{Name: inputFixPatch, Kind: gate.Path, AllowTemp: true, Default: "workflow-audit.patch",
				Description: "Where fix: pin writes its unified diff (apply with git apply or patch -p1), relative to the workspace or under RUNNER_TEMP."},
			{Name: inputFailOn, Kind: gate.Enum, Values: []string{"critical", "high", "medium", "low", "info"}, Default: "high",
				Description: "The lowest severity that denies: findings at or above it that no waiver accepts fail the gate, those below are reported only."},
		}, waiver.Inputs()...),
		Outputs: []gate.Output{
			{Name: outputFiles, Description: "Number of files scanned."},
			{Name: outputHigh, Description: "Number of findings at high or critical severity that no waiver accepts."},
			{Name: outputPinned, Description: "Number of uses: that fix: pin rewrote to a commit SHA (0 without fix)."},
		},
		Rules: gateRules,
	},
	Run: run,
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	opts := Options{Paths: in.List(inputPaths), AllowUnpinned: in.List(inputAllowUnpinned), PATPattern: in.String(inputPATPattern), ForbiddenUses: in.List(inputForbiddenUses)}
	persona, err := ParsePersona(in.String(inputPersona))
	if err != nil {
		return nil, gate.BadInputf(inputPersona, in.Raw(inputPersona), "%v", err)
	}
	opts.Persona = persona
	failOn, err := finding.ParseSeverity(in.String(inputFailOn))
	if err != nil {
		return nil, gate.BadInputf(inputFailOn, in.Raw(inputFailOn), "%v", err)
	}
	setup, err := waiver.FromInputs(in, gateName, gateRules)
	if err != nil {
		return nil, err
	}
	opts.keepWorkflowSources = needsWorkflowSources(setup)
	token := in.String(inputGitHubToken)
	fixing := in.String(inputFix) == "pin"
	if fixing && token == "" {
		return nil, gate.BadInputf(inputFix, in.Raw(inputFix), "fix: pin resolves tags to commits through the GitHub API and needs github-token; without it nothing is rewritten")
	}
	rep, err := Scan(ctx, in.Env.Workspace, opts)
	if err != nil {
		return nil, inputError(err, in)
	}
	apiURL := in.String(inputGitHubAPIURL)
	if apiURL == "" && in.Env.Getenv != nil {
		apiURL = in.Env.Getenv("GITHUB_API_URL")
	}
	online := OnlineOptions{Token: token, APIURL: apiURL, Timeout: in.Duration(inputTimeout), Persona: persona}
	var fixed *FixResult
	if fixing {
		fixed, err = PinUses(ctx, in.Env.Workspace, rep, opts.AllowUnpinned, online)
		if errors.Is(err, errBadAPIURL) {
			return nil, gate.BadInputf(inputGitHubAPIURL, apiURL, "%v", err)
		}
		if err != nil {
			return nil, err
		}
		if err := writePatch(in.Path(inputFixPatch), fixed.Patch); err != nil {
			return nil, err
		}
		if len(fixed.Changes) > 0 {
			// The verdict is the rewritten files'.
			if rep, err = Scan(ctx, in.Env.Workspace, opts); err != nil {
				return nil, inputError(err, in)
			}
		}
	}
	onl, err := CheckOnline(ctx, rep, online)
	if err != nil {
		return nil, gate.BadInputf(inputGitHubAPIURL, apiURL, "%v", err)
	}
	rep.Findings = append(rep.Findings, onl.Findings...)
	finding.Sort(rep.Findings)
	fs := applyWaivers(rep, setup)
	res := &gate.Result{
		Findings: fs,
		Outputs: map[string]string{
			outputFiles:  strconv.Itoa(len(rep.Files)),
			outputHigh:   strconv.Itoa(finding.CountAtLeast(fs, finding.High)),
			outputPinned: "0",
		},
		Counters: map[string]int64{"files": int64(len(rep.Files))},
		Read:     setup.Read,
	}
	for _, f := range rep.Files {
		res.Read = append(res.Read, evidence.Artifact{Path: f.Path, Digest: f.SHA256})
		res.Counters[f.Kind+"s"]++
	}
	active, waived := 0, 0
	for _, f := range fs {
		if f.Suppressed() {
			waived++
		} else {
			active++
		}
	}
	denying := finding.CountAtLeast(fs, failOn)
	res.Denied = denying > 0
	switch {
	case res.Denied:
		res.Reason = fmt.Sprintf("%d of %d findings at or above %s in %d files scanned.", denying, active, failOn, len(rep.Files))
	case active > 0:
		res.Reason = fmt.Sprintf("%d findings, none at or above %s, in %d files scanned.", active, failOn, len(rep.Files))
	case waived > 0:
		res.Reason = fmt.Sprintf("%d files scanned: nothing left once waivers are applied.", len(rep.Files))
	default:
		res.Reason = fmt.Sprintf("%d files scanned: everything pinned and valid.", len(rep.Files))
	}
	if waived > 0 {
		res.Reason += fmt.Sprintf(" %d waived finding%s not counted.", waived, map[bool]string{true: "", false: "s"}[waived == 1])
	}
	res.Counters["api_calls"] = int64(onl.Calls)
	res.Details = onlineDetails(onl)
	if fixed != nil {
		res.Outputs[outputPinned] = strconv.Itoa(len(fixed.Changes))
		res.Details = fixDetails(fixed, in.Env.Rel(in.Path(inputFixPatch))) + "\n" + res.Details
		res.Reason += fmt.Sprintf(" fix: pin rewrote %d uses: to commit SHAs.", len(fixed.Changes))
		if len(fixed.Failures) > 0 && !res.Denied {
			return nil, fmt.Errorf("fix: pin could not resolve %d refs through the GitHub API: %s", len(fixed.Failures), strings.Join(firstN(fixed.Failures, 3), "; "))
		}
	}
	switch {
	case len(onl.NotRun) > 0:
		res.Reason += fmt.Sprintf(" Online rules not run (%s): %s.", onl.Reason, strings.Join(onl.NotRun, ", "))
	case len(onl.Failures) > 0 && !res.Denied && onl.Worst >= failOn:
		return nil, fmt.Errorf("online rules could not decide: %d GitHub API lookups failed, and a rule that reports at %s or above could change the verdict: %s", len(onl.Failures), failOn, strings.Join(firstN(onl.Failures, 3), "; "))
	case len(onl.Failures) > 0:
		res.Reason += fmt.Sprintf(" %d online lookups failed; they could not change the verdict (see the summary).", len(onl.Failures))
	}
	return res, nil
}

// onlineDetails is the summary's section on the online rules.
func onlineDetails(o *OnlineReport) string {
	var b strings.Builder
	b.WriteString("### Online rules\n\n")
	switch {
	case len(o.NotRun) > 0:
		fmt.Fprintf(&b, "Not run (%s): %s. Give `github-token` to run them.\n", o.Reason, strings.Join(o.NotRun, ", "))
	default:
		fmt.Fprintf(&b, "Checked %d uses: with %d GitHub API requests.\n", o.Refs, o.Calls)
		if len(o.Failures) > 0 {
			fmt.Fprintf(&b, "\n%d lookups failed:\n\n", len(o.Failures))
			for _, f := range firstN(o.Failures, 20) {
				b.WriteString("- " + f + "\n")
			}
		}
	}
	return b.String()
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// gateRules are the scan's rules and the waiver rules: every rule id a
// finding of the gate can carry, as SARIF needs them declared.
var gateRules = slices.Concat(Rules, waiver.Rules(helpBase))

// inputError maps Scan's usage errors to the input they came from; other
// errors (I/O, cancellation) stay as they are and make the run undecided.
func inputError(err error, in *gate.Inputs) error {
	var pe *PathError
	switch {
	case errors.As(err, &pe):
		problem := pe.Err.Error()
		if errors.Is(pe.Err, fs.ErrNotExist) {
			problem = "does not exist"
		}
		return &gate.InputError{Input: inputPaths, Value: pe.Path, Problem: problem, Err: err}
	case errors.Is(err, ErrInvalidUsesPattern):
		return &gate.InputError{Input: inputForbiddenUses, Value: in.Raw(inputForbiddenUses), Problem: err.Error(), Err: err}
	case errors.Is(err, ErrInvalidAllowEntry):
		return &gate.InputError{Input: inputAllowUnpinned, Value: in.Raw(inputAllowUnpinned), Problem: err.Error(), Err: err}
	}
	return err
}

// checkPATPattern refuses a pat-pattern that is not a regular expression.
func checkPATPattern(v any) error {
	if _, err := regexp.Compile(v.(string)); err != nil {
		return fmt.Errorf("not a regular expression: %v", err)
	}
	return nil
}

// fixDetails is the summary's section on fix mode.
func fixDetails(f *FixResult, patch string) string {
	var b strings.Builder
	b.WriteString("### Pinned by fix: pin\n\n")
	if len(f.Changes) == 0 {
		b.WriteString("Nothing to pin.\n")
	} else {
		fmt.Fprintf(&b, "%d uses: rewritten; the patch is `%s`.\n\n| File | Line | Was | Now |\n|---|---|---|---|\n", len(f.Changes), patch)
		for _, c := range f.Changes {
			fmt.Fprintf(&b, "| `%s` | %d | `%s` | `%s # %s` |\n", c.Path, c.Line, c.From, c.To, c.Ref)
		}
	}
	for _, s := range append(f.Skipped, f.Failures...) {
		b.WriteString("\nNot pinned: " + s + "\n")
	}
	return b.String()
}

// writePatch writes fix mode's patch (an empty file when nothing changed,
// so a later step never reads a stale one).
func writePatch(p, patch string) error {
	if err := atomicfile.WriteFile(p, []byte(patch), 0o644); err != nil {
		return fmt.Errorf("writing the fix patch: %w", err)
	}
	return nil
}
