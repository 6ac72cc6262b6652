package orgguard

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
)

// apiRuleset is a ruleset as the REST API answers and takes it. Conditions
// and rule parameters stay generic so an update carries what org-guard
// does not manage unchanged.
type apiRuleset struct {
	ID           int64            `json:"id,omitempty"`
	Name         string           `json:"name"`
	Target       string           `json:"target,omitempty"`
	Enforcement  string           `json:"enforcement"`
	BypassActors []map[string]any `json:"bypass_actors,omitempty"`
	Conditions   map[string]any   `json:"conditions,omitempty"`
	Rules        []apiRule        `json:"rules,omitempty"`
	// SourceType is "Organization" or "Repository"; apply never sends it.
	SourceType string `json:"source_type,omitempty"`
	// inherited marks, for a repository, a ruleset of its organization:
	// it applies to the repository but org-guard manages it only at the
	// organization.
	inherited bool
}

type apiRule struct {
	Type       string         `json:"type"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

// ruleTypes maps the configuration's switches to the API's rule types.
var ruleTypes = []struct {
	config, rule string
	get          func(*Ruleset) *Want[bool]
}{
	{"linear-history", "required_linear_history", func(r *Ruleset) *Want[bool] { return r.LinearHistory }},
	{"signed-commits", "required_signatures", func(r *Ruleset) *Want[bool] { return r.SignedCommits }},
	{"no-force-push", "non_fast_forward", func(r *Ruleset) *Want[bool] { return r.NoForcePush }},
	{"no-deletion", "deletion", func(r *Ruleset) *Want[bool] { return r.NoDeletion }},
	{"no-update", "update", func(r *Ruleset) *Want[bool] { return r.NoUpdate }},
	{"restrict-creation", "creation", func(r *Ruleset) *Want[bool] { return r.RestrictCreation }},
}

// listRulesets reads every ruleset of the scope, page by page, then each
// one in full (the list holds no rules). A repository's list includes the
// organization's rulesets that apply to it, marked inherited.
func listRulesets(ctx context.Context, c *client, s Scope) ([]apiRuleset, error) {
	var all []apiRuleset
	for page := 1; page > 0; {
		path := s.base() + "/rulesets?per_page=100&page=" + strconv.Itoa(page)
		var batch []apiRuleset
		resp, err := c.do(ctx, http.MethodGet, path, nil, &batch, s.needs(false))
		if err != nil {
			return nil, err
		}
		for _, r := range batch {
			var full apiRuleset
			if _, err := c.do(ctx, http.MethodGet, s.base()+"/rulesets/"+strconv.FormatInt(r.ID, 10), nil, &full, s.needs(false)); err != nil {
				return nil, err
			}
			full.inherited = !s.IsOrg() && (r.SourceType == "Organization" || full.SourceType == "Organization")
			all = append(all, full)
		}
		page = resp.NextPage
	}
	return all, nil
}

// findRuleset finds the scope's own ruleset of that name.
func findRuleset(all []apiRuleset, name string) *apiRuleset {
	for i := range all {
		if all[i].Name == name && !all[i].inherited {
			return &all[i]
		}
	}
	return nil
}

func (r *apiRuleset) rule(typ string) *apiRule {
	for i := range r.Rules {
		if r.Rules[i].Type == typ {
			return &r.Rules[i]
		}
	}
	return nil
}

func conditionList(cond map[string]any, kind, key string) []string {
	m, _ := cond[kind].(map[string]any)
	items, _ := m[key].([]any)
	var out []string
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// repositories is the desired repository_name condition of an
// organization ruleset: every repository unless the file names some.
func (want *Ruleset) repositories() []string {
	if len(want.Repositories) > 0 {
		return want.Repositories
	}
	return []string{"~ALL"}
}

// compareRuleset lists how got (nil: there is none) falls short of want.
// Rules are minimums: a ruleset that asks more (two approvals where one is
// desired, a rule org-guard does not manage) is as desired.
func compareRuleset(s Scope, want *Ruleset, got *apiRuleset) []Difference {
	api := "GET /" + s.base() + "/rulesets"
	cfg := "rulesets." + want.Name
	if got == nil {
		return []Difference{{API: api, Field: "name", Expected: strconv.Quote(want.Name), Actual: "(no ruleset of that name)", Config: cfg, Line: want.Line}}
	}
	api += "/" + strconv.FormatInt(got.ID, 10)
	var d []Difference
	diff := func(field, exp, act string, line int) {
		d = append(d, Difference{API: api, Field: field, Expected: exp, Actual: act, Config: cfg, Line: line})
	}
	if got.Enforcement != "active" {
		diff("enforcement", `"active"`, strconv.Quote(got.Enforcement), want.Line)
	}
	if got.Target != want.Target {
		diff("target", strconv.Quote(want.Target), strconv.Quote(got.Target), want.Line)
	}
	if inc := conditionList(got.Conditions, "ref_name", "include"); !same(want.Include, toAny(inc)) {
		diff("conditions.ref_name.include", jsonText(want.Include), jsonText(inc), want.Line)
	}
	if s.IsOrg() {
		if inc := conditionList(got.Conditions, "repository_name", "include"); !same(want.repositories(), toAny(inc)) {
			diff("conditions.repository_name.include", jsonText(want.repositories()), jsonText(inc), want.Line)
		}
	}
	for _, rt := range ruleTypes {
		w := rt.get(want)
		if w == nil {
			continue
		}
		if has := got.rule(rt.rule) != nil; has != w.Value {
			diff("rules["+rt.rule+"]", presence(w.Value), presence(has), w.Line)
		}
	}
	if pr := want.PullRequest; pr != nil {
		r := got.rule("pull_request")
		if r == nil {
			diff("rules[pull_request]", presence(true), presence(false), pr.Line)
		} else {
			p := r.Parameters
			if number(p["required_approving_review_count"]) < pr.Approvals {
				diff("rules[pull_request].required_approving_review_count", fmt.Sprintf("%d or more", pr.Approvals), jsonText(p["required_approving_review_count"]), pr.lineOf("required_approving_review_count"))
			}
			for _, b := range []struct {
				want bool
				key  string
			}{{pr.CodeOwnerReview, "require_code_owner_review"}, {pr.DismissStaleReviews, "dismiss_stale_reviews_on_push"},
				{pr.LastPushApproval, "require_last_push_approval"}, {pr.ThreadResolution, "required_review_thread_resolution"}} {
				if b.want && p[b.key] != true {
					diff("rules[pull_request]."+b.key, "true", jsonText(p[b.key]), pr.lineOf(b.key))
				}
			}
		}
	}
	if sc := want.RequiredStatusChecks; sc != nil {
		have := statusContexts(got.rule("required_status_checks"))
		var missing []string
		for _, c := range sc.Value {
			if !slices.Contains(have, c) {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			diff("rules[required_status_checks].required_status_checks", "contexts including "+jsonText(sc.Value), jsonText(have), sc.Line)
		}
	}
	return d
}

func presence(b bool) string {
	if b {
		return "(rule present)"
	}
	return "(rule absent)"
}

func toAny(ss []string) any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func statusContexts(r *apiRule) []string {
	if r == nil {
		return nil
	}
	items, _ := r.Parameters["required_status_checks"].([]any)
	var out []string
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			if c, ok := m["context"].(string); ok {
				out = append(out, c)
			}
		}
	}
	return out
}

// desiredRuleset builds the ruleset apply writes: got (when there is one)
// with want's conditions and managed rules laid over it.
func desiredRuleset(s Scope, want *Ruleset, got *apiRuleset) apiRuleset {
	var r apiRuleset
	if got != nil {
		r = *got
		r.Rules = slices.Clone(got.Rules)
	}
	r.ID, r.SourceType = 0, ""
	r.Name, r.Target, r.Enforcement = want.Name, want.Target, "active"
	cond := map[string]any{}
	for k, v := range r.Conditions {
		cond[k] = v
	}
	cond["ref_name"] = map[string]any{"include": want.Include, "exclude": refExcludes(r.Conditions)}
	if s.IsOrg() {
		cond["repository_name"] = map[string]any{"include": want.repositories(), "exclude": []string{}}
	}
	r.Conditions = cond
	for _, rt := range ruleTypes {
		if w := rt.get(want); w != nil {
			r.Rules = setRule(r.Rules, rt.rule, w.Value, nil)
		}
	}
	if pr := want.PullRequest; pr != nil {
		p := map[string]any{
			"required_approving_review_count":   0,
			"dismiss_stale_reviews_on_push":     false,
			"require_code_owner_review":         false,
			"require_last_push_approval":        false,
			"required_review_thread_resolution": false,
		}
		if old := r.rule("pull_request"); old != nil {
			for k, v := range old.Parameters {
				p[k] = v
			}
		}
		p["required_approving_review_count"] = max(pr.Approvals, number(p["required_approving_review_count"]))
		for k, b := range map[string]bool{"require_code_owner_review": pr.CodeOwnerReview, "dismiss_stale_reviews_on_push": pr.DismissStaleReviews,
			"require_last_push_approval": pr.LastPushApproval, "required_review_thread_resolution": pr.ThreadResolution} {
			if b {
				p[k] = true
			}
		}
		r.Rules = setRule(r.Rules, "pull_request", true, p)
	}
	if sc := want.RequiredStatusChecks; sc != nil {
		p := map[string]any{"strict_required_status_checks_policy": true, "required_status_checks": []any{}}
		if old := r.rule("required_status_checks"); old != nil {
			for k, v := range old.Parameters {
				p[k] = v
			}
		}
		checks, _ := p["required_status_checks"].([]any)
		have := statusContexts(&apiRule{Parameters: p})
		for _, c := range sc.Value {
			if !slices.Contains(have, c) {
				checks = append(checks, map[string]any{"context": c})
			}
		}
		p["required_status_checks"] = checks
		r.Rules = setRule(r.Rules, "required_status_checks", true, p)
	}
	return r
}

func refExcludes(cond map[string]any) []string {
	if ex := conditionList(cond, "ref_name", "exclude"); ex != nil {
		return ex
	}
	return []string{}
}

// setRule adds (with params) or removes the rule of type typ.
func setRule(rules []apiRule, typ string, on bool, params map[string]any) []apiRule {
	out := slices.DeleteFunc(rules, func(r apiRule) bool { return r.Type == typ })
	if on {
		out = append(out, apiRule{Type: typ, Parameters: params})
	}
	return out
}

// rulesetChange is the request that makes the named ruleset as desired.
func rulesetChange(s Scope, want *Ruleset, got *apiRuleset, diffs []Difference) (Change, apiRuleset) {
	body := desiredRuleset(s, want, got)
	if got == nil {
		return Change{Method: http.MethodPost, Path: s.base() + "/rulesets", Body: rulesetMap(body), Fixes: diffs}, body
	}
	return Change{Method: http.MethodPut, Path: s.base() + "/rulesets/" + strconv.FormatInt(got.ID, 10), Body: rulesetMap(body), Fixes: diffs}, body
}

func rulesetMap(r apiRuleset) map[string]any {
	var m map[string]any
	b, _ := jsonMarshal(r)
	_ = jsonUnmarshal(b, &m)
	return m
}

// number reads a count from decoded JSON (float64) or from a body built
// here (int).
func number(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	}
	return 0
}
