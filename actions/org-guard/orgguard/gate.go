package orgguard

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/waiver"
)

const gateName = "org-guard"

// The gate's inputs and outputs.
const (
	inputOperation    = "operation"
	inputOrganization = "organization"
	inputRepository   = "repository"
	inputGitHubToken  = "github-token"
	inputGitHubAPIURL = "github-api-url"
	inputTimeout      = "timeout"

	outputDifferences = "differences"
	outputMissing     = "missing-permissions"
	outputChanges     = "changes"
	outputApplied     = "applied"
)

// The rules the gate's findings carry.
const (
	RuleDrift             = "org-guard-drift"
	RuleMissingPermission = "org-guard-missing-permission"
	RuleNotApplied        = "org-guard-not-applied"
	RuleCodeOwners        = "org-guard-code-owners"
)

const helpBase = "https://github.com/hubgates/hub/blob/main/actions/org-guard/README.md"

// Rules are the gate's rules, for SARIF.
var Rules = []finding.Rule{
	{ID: RuleDrift, Severity: finding.High, Summary: "A setting or ruleset of the organization or repository is not as the configuration asks.",
		Help: "Run org-guard with operation: plan to see the change, and operation: apply (with a token that may write) to make it.", HelpURI: helpBase + "#" + RuleDrift},
	{ID: RuleMissingPermission, Severity: finding.High, Summary: "The token may not read (or, for apply, write) a setting the configuration names, so it was not checked.",
		Help: "Give the token the permission the message names; a setting that cannot be read is never taken as compliant.", HelpURI: helpBase + "#" + RuleMissingPermission},
	{ID: RuleNotApplied, Severity: finding.High, Summary: "apply wrote a change, but reading the setting back shows it is still not as desired.",
		Help: "A policy above the organization (an enterprise policy) or a plan without the feature may override it; fix it there.", HelpURI: helpBase + "#" + RuleNotApplied},
	{ID: RuleCodeOwners, Severity: finding.High, Summary: "A path whose changes need a code owner's review has no owner in CODEOWNERS, or no active branch ruleset requires code owner review.",
		Help: "Add an owner for the path to CODEOWNERS and require code owner review in the default branch's ruleset.", HelpURI: helpBase + "#" + RuleCodeOwners},
}

var gateRules = slices.Concat(Rules, waiver.Rules(helpBase+"#"))

// Gate is the org-guard gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "hold an organization's Actions policy and rulesets to the configuration",
		Description: "Reads an organization's (or a repository's) Actions policy, rulesets, immutable releases and secret scanning push protection through the GitHub REST API " +
			"and compares them with the org-guard section of hub's configuration file. check reports each difference as a finding naming the API path and the expected and actual value; " +
			"plan adds the requests that would fix them; apply sends them and reads everything back. " +
			"A setting the token may not read is a finding naming the permission it needs, never a pass.",
		Inputs: append([]gate.Input{
			{Name: inputOperation, Kind: gate.Enum, Values: []string{OpCheck, OpPlan, OpApply}, Default: OpCheck,
				Description: "check compares and reports; plan also lists the requests that would make the settings as configured; apply sends them (the token must be allowed to write) and verifies by reading back."},
			{Name: inputOrganization, Kind: gate.String,
				Description: "The organization whose settings and rulesets to check. Set this or repository."},
			{Name: inputRepository, Kind: gate.String,
				Description: "A repository (owner/repo) whose own settings and rulesets to check, instead of an organization."},
			{Name: inputGitHubToken, Kind: gate.Secret, Required: true,
				Description: "A token that may read the settings (write them, for apply): a GitHub App installation token with the \"Administration\" organization or repository permission, or a classic token of an owner with admin:org (repo for a repository). The job's GITHUB_TOKEN cannot read organization settings."},
			{Name: inputGitHubAPIURL, Kind: gate.String,
				Description: "The GitHub REST API. Empty means the runner's GITHUB_API_URL, or https://api.github.com outside Actions (set it for GitHub Enterprise Server)."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "2m",
				Description: "How long the whole operation may take, secondary rate limit waits included; past it the gate cannot decide (exit 3)."},
		}, waiver.Inputs()...),
		Outputs: []gate.Output{
			{Name: outputDifferences, Description: "Number of settings not as configured (for apply: before it changed them)."},
			{Name: outputMissing, Description: "Number of settings the token may not read or write."},
			{Name: outputChanges, Description: "Number of requests that would make the settings as configured (plan) or that apply sent."},
			{Name: outputApplied, Description: "Number of changes apply made and verified by reading back."},
		},
		Rules: gateRules,
	},
	Run: run,
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	op := in.String(inputOperation)
	scope, err := scopeOf(in)
	if err != nil {
		return nil, err
	}
	setup, err := waiver.FromInputs(in, gateName, gateRules)
	if err != nil {
		return nil, err
	}
	cfgName := waiver.DefaultPath
	if setup.Config != nil {
		cfgName = setup.Config.Name
	}
	desired, err := ParseDesired(cfgName, setup.Gate.Settings)
	if err != nil {
		return nil, gate.BadConfig(err)
	}
	if desired.Empty() {
		return nil, &gate.InputError{Input: waiver.InputConfig, Value: in.Raw(waiver.InputConfig),
			Problem: "has no org-guard settings (actions, rulesets, immutable-releases, secret-scanning-push-protection, code-owners): there is nothing to check"}
	}
	apiURL := in.String(inputGitHubAPIURL)
	if apiURL == "" && in.Env.Getenv != nil {
		apiURL = in.Env.Getenv("GITHUB_API_URL")
	}
	g, err := NewGuard(in.String(inputGitHubToken), apiURL, nil)
	if err != nil {
		return nil, gate.BadInputf(inputGitHubAPIURL, apiURL, "%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, in.Duration(inputTimeout))
	defer cancel()
	rep, err := g.Run(ctx, scope, desired, op)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("the %s input (%s) ran out: %w", inputTimeout, in.Raw(inputTimeout), err)
		}
		return nil, err
	}
	fs := findings(cfgName, op, rep)
	if len(desired.CodeOwners) > 0 {
		co, read, err := checkCodeOwners(in, cfgName, desired, rep)
		if err != nil {
			return nil, err
		}
		fs = append(fs, co...)
		setup.Read = append(setup.Read, read...)
	}
	fs, meta := setup.Policy.Apply(setup.Gate.Adjust(fs), setup.Gate.Waivers, nil)
	fs = append(fs, setup.Gate.Adjust(meta)...)
	active := 0
	for _, f := range fs {
		if !f.Suppressed() && f.Severity >= finding.Medium {
			active++
		}
	}
	changes := len(rep.Changes)
	res := &gate.Result{
		Denied:   active > 0,
		Findings: fs,
		Outputs: map[string]string{
			outputDifferences: strconv.Itoa(len(rep.Differences)),
			outputMissing:     strconv.Itoa(len(rep.Unreadable)),
			outputChanges:     strconv.Itoa(changes),
			outputApplied:     strconv.Itoa(applied(rep)),
		},
		Details:  details(op, rep),
		Read:     setup.Read,
		Counters: map[string]int64{"api_calls": int64(g.Calls()), "differences": int64(len(rep.Differences)), "changes": int64(changes)},
		Facts:    rep,
	}
	res.Reason = reason(op, scope, rep, active)
	return res, nil
}

func scopeOf(in *gate.Inputs) (Scope, error) {
	org, repo := in.String(inputOrganization), in.String(inputRepository)
	switch {
	case org != "" && repo != "":
		return Scope{}, gate.BadInputf(inputRepository, repo, "set organization or repository, not both (organization is %q)", org)
	case org != "":
		s, err := ParseOrg(org)
		if err != nil {
			return Scope{}, gate.BadInputf(inputOrganization, org, "%v", err)
		}
		return s, nil
	case repo != "":
		s, err := ParseRepo(repo)
		if err != nil {
			return Scope{}, gate.BadInputf(inputRepository, repo, "%v", err)
		}
		return s, nil
	}
	return Scope{}, gate.BadInputf(inputOrganization, "", "set organization (or repository) to say whose settings to check")
}

// applied counts apply's changes whose differences are all gone on reading
// back.
func applied(rep *Report) int {
	n := 0
	for _, ch := range rep.Applied {
		ok := true
		for _, fix := range ch.Fixes {
			for _, left := range rep.NotApplied {
				if left.Config == fix.Config && left.Field == fix.Field {
					ok = false
				}
			}
		}
		if ok {
			n++
		}
	}
	return n
}

// findings turns the report into findings at the configuration lines that
// ask for each setting. After apply, the differences it fixed are changes,
// not findings; what reading back still shows is.
func findings(cfg, op string, rep *Report) []finding.Finding {
	var fs []finding.Finding
	add := func(rule, key, msg string, line int) {
		fs = append(fs, finding.Finding{Rule: rule, Severity: finding.High, Message: msg, Path: cfg, Line: line,
			Fingerprint: finding.Fingerprint(rule, cfg, key)})
	}
	diffs, rule := rep.Differences, RuleDrift
	if op == OpApply {
		diffs, rule = rep.NotApplied, RuleNotApplied
	}
	for _, d := range diffs {
		msg := fmt.Sprintf("%s: %s: expected %s, got %s (%s)", d.API, d.Field, d.Expected, d.Actual, d.Config)
		if op == OpApply {
			msg = "after apply, " + msg
		}
		add(rule, d.API+"#"+d.Field, msg, d.Line)
	}
	seen := map[string]bool{}
	for _, u := range rep.Unreadable {
		key := u.API + "#" + u.Config
		if seen[key] {
			continue
		}
		seen[key] = true
		msg := fmt.Sprintf("%s could not be read", u.API)
		if u.Status != 0 {
			msg = fmt.Sprintf("%s answered %d", u.API, u.Status)
		}
		if u.Detail != "" {
			msg += " (" + u.Detail + ")"
		}
		msg += fmt.Sprintf(": %s is not verified; the token needs %s", u.Config, u.Needs)
		add(RuleMissingPermission, key, msg, u.Line)
	}
	return fs
}

func reason(op string, s Scope, rep *Report, active int) string {
	switch {
	case active == 0 && op == OpApply && len(rep.Applied) > 0:
		return fmt.Sprintf("%s: %d changes applied and verified by reading back", s, len(rep.Applied))
	case active == 0:
		return s.String() + ": every setting is as configured"
	case len(rep.Unreadable) > 0:
		return fmt.Sprintf("%s: %d settings not as configured, %d the token may not read or write", s, max(len(rep.Differences), len(rep.NotApplied)), len(rep.Unreadable))
	}
	return fmt.Sprintf("%s: %d findings", s, active)
}

// details is the summary's account of the differences and the changes.
func details(op string, rep *Report) string {
	var b strings.Builder
	if len(rep.Differences) > 0 {
		title := "Differences"
		if op == OpApply {
			title = "Differences before apply"
		}
		fmt.Fprintf(&b, "### %s\n\n| API | Field | Expected | Actual | Configured by |\n|---|---|---|---|---|\n", title)
		for _, d := range rep.Differences {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", gate.MarkdownCode(d.API), gate.MarkdownCode(d.Field),
				gate.MarkdownCode(d.Expected), gate.MarkdownCode(d.Actual), gate.MarkdownText(d.Config))
		}
		b.WriteString("\n")
	}
	if (op == OpPlan || op == OpApply) && len(rep.Changes) > 0 {
		title := "Plan: the requests apply would send"
		if op == OpApply {
			title = "Applied"
		}
		fmt.Fprintf(&b, "### %s\n\n", title)
		for _, ch := range rep.Changes {
			fmt.Fprintf(&b, "- %s\n", gate.MarkdownCode(ch.String()))
		}
		b.WriteString("\n")
	}
	if len(rep.Unreadable) > 0 {
		b.WriteString("### Not readable with this token\n\n| API | Status | Needs |\n|---|---|---|\n")
		for _, u := range rep.Unreadable {
			st := ""
			if u.Status != 0 {
				st = strconv.Itoa(u.Status)
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", gate.MarkdownCode(u.API), st, gate.MarkdownText(u.Needs))
		}
	}
	return b.String()
}
