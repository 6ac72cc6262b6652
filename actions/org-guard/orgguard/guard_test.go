package orgguard

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/actions/org-guard/orgfake"
)

var acme = Scope{Org: "acme"}

func TestCheckPassesWhenEverythingIsAsConfigured(t *testing.T) {
	srv, g := startFake(t, compliantOrg())
	rep := runOp(t, g, acme, desiredFrom(t, orgConfig), OpCheck)
	if len(rep.Differences) != 0 || len(rep.Unreadable) != 0 || len(rep.Changes) != 0 {
		t.Fatalf("differences %+v\nunreadable %+v\nchanges %v", rep.Differences, rep.Unreadable, rep.Changes)
	}
	// One ruleset a page: three pages, each followed by its Link header.
	reqs := srv.Requests()
	for _, want := range []string{"GET /orgs/acme/rulesets?per_page=100&page=1", "GET /orgs/acme/rulesets?per_page=100&page=2", "GET /orgs/acme/rulesets?per_page=100&page=3", "GET /orgs/acme/rulesets/23"} {
		if !slices.Contains(reqs, want) {
			t.Errorf("no request %q among:\n%s", want, strings.Join(reqs, "\n"))
		}
	}
}

// Each setting differing on its own is exactly one difference, naming the
// API path, the field, and both values, at the configuration line.
func TestCheckReportsEachSettingThatDiffers(t *testing.T) {
	for _, tc := range []struct {
		name       string
		edit       func(st map[string]map[string]any, rs []map[string]any)
		api, field string
		exp, got   string
	}{
		{"allowed actions", func(st map[string]map[string]any, _ []map[string]any) {
			st["orgs/acme/actions/permissions"]["allowed_actions"] = "all"
		}, "GET /orgs/acme/actions/permissions", "allowed_actions", `"selected"`, `"all"`},
		{"sha pinning", func(st map[string]map[string]any, _ []map[string]any) {
			st["orgs/acme/actions/permissions"]["sha_pinning_required"] = false
		}, "GET /orgs/acme/actions/permissions", "sha_pinning_required", "true", "false"},
		{"github owned", func(st map[string]map[string]any, _ []map[string]any) {
			st["orgs/acme/actions/permissions/selected-actions"]["github_owned_allowed"] = false
		}, "GET /orgs/acme/actions/permissions/selected-actions", "github_owned_allowed", "true", "false"},
		{"verified creators", func(st map[string]map[string]any, _ []map[string]any) {
			st["orgs/acme/actions/permissions/selected-actions"]["verified_allowed"] = true
		}, "GET /orgs/acme/actions/permissions/selected-actions", "verified_allowed", "false", "true"},
		{"allowlist", func(st map[string]map[string]any, _ []map[string]any) {
			st["orgs/acme/actions/permissions/selected-actions"]["patterns_allowed"] = []any{"hubgates/hub/*", "evil/*"}
		}, "GET /orgs/acme/actions/permissions/selected-actions", "patterns_allowed", `["hubgates/hub/*"]`, `["hubgates/hub/*","evil/*"]`},
		{"token permissions", func(st map[string]map[string]any, _ []map[string]any) {
			st["orgs/acme/actions/permissions/workflow"]["default_workflow_permissions"] = "write"
		}, "GET /orgs/acme/actions/permissions/workflow", "default_workflow_permissions", `"read"`, `"write"`},
		{"approve pull requests", func(st map[string]map[string]any, _ []map[string]any) {
			st["orgs/acme/actions/permissions/workflow"]["can_approve_pull_request_reviews"] = true
		}, "GET /orgs/acme/actions/permissions/workflow", "can_approve_pull_request_reviews", "false", "true"},
		{"fork approval", func(st map[string]map[string]any, _ []map[string]any) {
			st["orgs/acme/actions/permissions/fork-pr-contributor-approval"]["approval_policy"] = "first_time_contributors"
		}, "GET /orgs/acme/actions/permissions/fork-pr-contributor-approval", "approval_policy", `"all_external_contributors"`, `"first_time_contributors"`},
		{"immutable releases", func(st map[string]map[string]any, _ []map[string]any) {
			st["orgs/acme/settings/immutable-releases"]["enforced_repositories"] = "selected"
		}, "GET /orgs/acme/settings/immutable-releases", "enforced_repositories", `"all"`, `"selected"`},
		{"push protection", func(st map[string]map[string]any, _ []map[string]any) {
			st["orgs/acme"]["secret_scanning_push_protection_enabled_for_new_repositories"] = false
		}, "GET /orgs/acme", "secret_scanning_push_protection_enabled_for_new_repositories", "true", "false"},
		{"ruleset disabled", func(_ map[string]map[string]any, rs []map[string]any) {
			rs[0]["enforcement"] = "evaluate"
		}, "GET /orgs/acme/rulesets/21", "enforcement", `"active"`, `"evaluate"`},
		{"ruleset missing", func(_ map[string]map[string]any, rs []map[string]any) {
			rs[1]["name"] = "old tags"
		}, "GET /orgs/acme/rulesets", "name", `"hub release tags"`, "(no ruleset of that name)"},
		{"force push allowed", func(_ map[string]map[string]any, rs []map[string]any) {
			rs[0]["rules"] = dropRule(rs[0]["rules"], "non_fast_forward")
		}, "GET /orgs/acme/rulesets/21", "rules[non_fast_forward]", "(rule present)", "(rule absent)"},
		{"tags updatable", func(_ map[string]map[string]any, rs []map[string]any) {
			rs[1]["rules"] = dropRule(rs[1]["rules"], "update")
		}, "GET /orgs/acme/rulesets/22", "rules[update]", "(rule present)", "(rule absent)"},
		{"no code owner review", func(_ map[string]map[string]any, rs []map[string]any) {
			prRule(rs[0])["require_code_owner_review"] = false
		}, "GET /orgs/acme/rulesets/21", "rules[pull_request].require_code_owner_review", "true", "false"},
		{"no approvals", func(_ map[string]map[string]any, rs []map[string]any) {
			prRule(rs[0])["required_approving_review_count"] = 0
		}, "GET /orgs/acme/rulesets/21", "rules[pull_request].required_approving_review_count", "1 or more", "0"},
		{"status check dropped", func(_ map[string]map[string]any, rs []map[string]any) {
			p := ruleParams(rs[0], "required_status_checks")
			p["required_status_checks"] = []any{map[string]any{"context": "workflow-audit"}}
		}, "GET /orgs/acme/rulesets/21", "rules[required_status_checks].required_status_checks", `contexts including ["workflow-audit","sbom-gate"]`, `["workflow-audit"]`},
		{"only some repositories", func(_ map[string]map[string]any, rs []map[string]any) {
			rs[0]["conditions"].(map[string]any)["repository_name"] = map[string]any{"include": []any{"app"}, "exclude": []any{}}
		}, "GET /orgs/acme/rulesets/21", "conditions.repository_name.include", `["~ALL"]`, `["app"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := compliantOrg()
			tc.edit(st.Settings, st.Rulesets["orgs/acme"])
			_, g := startFake(t, st)
			rep := runOp(t, g, acme, desiredFrom(t, orgConfig), OpCheck)
			if len(rep.Unreadable) != 0 {
				t.Fatalf("unreadable: %+v", rep.Unreadable)
			}
			want := 1
			if tc.name == "allowed actions" {
				// The selected list does not apply then: GitHub answers 409.
				want = 4
			}
			if len(rep.Differences) != want {
				t.Fatalf("want %d differences, got %+v", want, rep.Differences)
			}
			d := rep.Differences[0]
			if d.API != tc.api || d.Field != tc.field || d.Expected != tc.exp || d.Actual != tc.got || d.Line == 0 {
				t.Errorf("got %+v\nwant %s %s expected %s got %s", d, tc.api, tc.field, tc.exp, tc.got)
			}
			fs := findings(".github/hub.yml", OpCheck, rep)
			if len(fs) != want || fs[0].Rule != RuleDrift || !strings.Contains(fs[0].Message, tc.api) {
				t.Errorf("findings: %+v", fs)
			}
		})
	}
}

func dropRule(v any, typ string) []any {
	return slices.DeleteFunc(slices.Clone(v.([]any)), func(r any) bool { return r.(map[string]any)["type"] == typ })
}

func ruleParams(rs map[string]any, typ string) map[string]any {
	for _, r := range rs["rules"].([]any) {
		if m := r.(map[string]any); m["type"] == typ {
			return m["parameters"].(map[string]any)
		}
	}
	panic("no rule " + typ)
}

func prRule(rs map[string]any) map[string]any { return ruleParams(rs, "pull_request") }

// A setting the token may not read is a finding naming the permission,
// whether GitHub answers 403 or 404 or leaves the field out; never a pass.
func TestCheckNeverPassesWhatItCannotRead(t *testing.T) {
	for _, tc := range []struct {
		name    string
		deny    string
		status  int
		drop    func(st map[string]map[string]any)
		api     string
		configs []string
	}{
		{name: "actions 403", deny: "orgs/acme/actions/permissions/workflow", status: 403, api: "GET /orgs/acme/actions/permissions/workflow",
			configs: []string{"actions.default-workflow-permissions", "actions.can-approve-pull-request-reviews"}},
		{name: "fork approval 404", deny: "orgs/acme/actions/permissions/fork-pr-contributor-approval", status: 404, api: "GET /orgs/acme/actions/permissions/fork-pr-contributor-approval",
			configs: []string{"actions.fork-pr-approval"}},
		{name: "rulesets 403", deny: "orgs/acme/rulesets", status: 403, api: "GET /orgs/acme/rulesets?per_page=100&page=1",
			configs: []string{"rulesets.hub default branch", "rulesets.hub release tags"}},
		{name: "one ruleset 404", deny: "orgs/acme/rulesets/22", status: 404, api: "GET /orgs/acme/rulesets/22",
			configs: []string{"rulesets.hub default branch", "rulesets.hub release tags"}},
		{name: "immutable releases 404", deny: "orgs/acme/settings", status: 404, api: "GET /orgs/acme/settings/immutable-releases",
			configs: []string{"immutable-releases"}},
		{name: "push protection hidden", drop: func(st map[string]map[string]any) {
			delete(st["orgs/acme"], "secret_scanning_push_protection_enabled_for_new_repositories")
		}, api: "GET /orgs/acme", configs: []string{"secret-scanning-push-protection"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := compliantOrg()
			if tc.deny != "" {
				st.Deny = map[string]int{tc.deny: tc.status}
			}
			if tc.drop != nil {
				tc.drop(st.Settings)
			}
			_, g := startFake(t, st)
			rep := runOp(t, g, acme, desiredFrom(t, orgConfig), OpCheck)
			var configs []string
			for _, u := range rep.Unreadable {
				if u.API != tc.api || u.Status != tc.status || !strings.Contains(u.Needs, `"Administration" organization permission (read)`) || !strings.Contains(u.Needs, "admin:org") {
					t.Errorf("unreadable: %+v", u)
				}
				configs = append(configs, u.Config)
			}
			if !slices.Equal(configs, tc.configs) {
				t.Errorf("unreadable settings %q, want %q", configs, tc.configs)
			}
			fs := findings(".github/hub.yml", OpCheck, rep)
			if len(fs) == 0 {
				t.Fatal("no finding for a setting that could not be read")
			}
			for _, f := range fs {
				if f.Rule != RuleMissingPermission || !strings.Contains(f.Message, "the token needs") {
					t.Errorf("finding: %+v", f)
				}
			}
		})
	}
}

// wrongOrg is acme with every setting the other way and no rulesets but
// one org-guard does not manage.
func wrongOrg() (st orgfake.State) {
	st = compliantOrg()
	s := st.Settings
	s["orgs/acme/actions/permissions"]["allowed_actions"] = "all"
	s["orgs/acme/actions/permissions"]["sha_pinning_required"] = false
	delete(s, "orgs/acme/actions/permissions/selected-actions")
	s["orgs/acme/actions/permissions/selected-actions"] = map[string]any{"github_owned_allowed": false, "verified_allowed": true, "patterns_allowed": []any{}}
	s["orgs/acme/actions/permissions/workflow"] = map[string]any{"default_workflow_permissions": "write", "can_approve_pull_request_reviews": true}
	s["orgs/acme/actions/permissions/fork-pr-contributor-approval"]["approval_policy"] = "first_time_contributors"
	s["orgs/acme/settings/immutable-releases"]["enforced_repositories"] = "none"
	s["orgs/acme"]["secret_scanning_push_protection_enabled_for_new_repositories"] = false
	rs := st.Rulesets["orgs/acme"]
	rs[0]["enforcement"] = "disabled"
	rs[0]["rules"] = []any{map[string]any{"type": "deletion"}, map[string]any{"type": "merge_queue", "parameters": map[string]any{"merge_method": "SQUASH"}}}
	st.Rulesets["orgs/acme"] = []map[string]any{rs[0], rs[2]}
	return st
}

func TestApplyMakesEverySettingAndReadsItBack(t *testing.T) {
	srv, g := startFake(t, wrongOrg())
	d := desiredFrom(t, orgConfig)
	before := runOp(t, g, acme, d, OpCheck)
	if len(before.Differences) < 12 {
		t.Fatalf("the wrong organization shows only %d differences: %+v", len(before.Differences), before.Differences)
	}
	rep := runOp(t, g, acme, d, OpApply)
	if len(rep.NotApplied) != 0 || len(rep.Unreadable) != 0 {
		t.Fatalf("not applied %+v\nunreadable %+v", rep.NotApplied, rep.Unreadable)
	}
	if len(rep.Applied) != len(rep.Changes) || applied(rep) != len(rep.Changes) {
		t.Errorf("applied %d of %d changes", applied(rep), len(rep.Changes))
	}
	after := runOp(t, g, acme, d, OpCheck)
	if len(after.Differences) != 0 {
		t.Fatalf("a fresh check after apply: %+v", after.Differences)
	}
	// allowed_actions is set before the selected list, which the API
	// refuses while it is not "selected".
	reqs := srv.Requests()
	perms := slices.Index(reqs, "PUT /orgs/acme/actions/permissions")
	sel := slices.Index(reqs, "PUT /orgs/acme/actions/permissions/selected-actions")
	if perms < 0 || sel < perms {
		t.Errorf("write order: %v", reqs)
	}
	// The updated ruleset keeps the rule and bypass actors org-guard does
	// not manage; the missing one is created.
	rs := srv.RulesetsOf("orgs/acme")
	if len(rs) != 3 {
		t.Fatalf("rulesets after apply: %d", len(rs))
	}
	var types []string
	for _, r := range rs[0]["rules"].([]any) {
		types = append(types, r.(map[string]any)["type"].(string))
	}
	if !slices.Contains(types, "merge_queue") || len(rs[0]["bypass_actors"].([]any)) != 1 {
		t.Errorf("the update dropped what org-guard does not manage: %v %v", types, rs[0]["bypass_actors"])
	}
	if rs[2]["name"] != "hub release tags" || rs[2]["target"] != "tag" {
		t.Errorf("created ruleset: %v", rs[2])
	}
}

func TestApplyReportsWhatReadingBackStillShows(t *testing.T) {
	st := wrongOrg()
	st.IgnoreWrites = []string{"orgs/acme/actions/permissions/workflow"}
	_, g := startFake(t, st)
	rep := runOp(t, g, acme, desiredFrom(t, orgConfig), OpApply)
	var fields []string
	for _, d := range rep.NotApplied {
		fields = append(fields, d.Field)
	}
	if !slices.Equal(fields, []string{"default_workflow_permissions", "can_approve_pull_request_reviews"}) {
		t.Fatalf("not applied: %+v", rep.NotApplied)
	}
	fs := findings(".github/hub.yml", OpApply, rep)
	if len(fs) != 2 || fs[0].Rule != RuleNotApplied || !strings.HasPrefix(fs[0].Message, "after apply, GET /orgs/acme/actions/permissions/workflow") {
		t.Errorf("findings: %+v", fs)
	}
	if applied(rep) != len(rep.Changes)-1 {
		t.Errorf("applied %d of %d", applied(rep), len(rep.Changes))
	}
}

func TestApplyWithoutWritePermissionNamesIt(t *testing.T) {
	st := wrongOrg()
	st.DenyWrite = map[string]int{"orgs/acme/rulesets": 403}
	_, g := startFake(t, st)
	rep := runOp(t, g, acme, desiredFrom(t, orgConfig), OpApply)
	var apis []string
	for _, u := range rep.Unreadable {
		apis = append(apis, u.API)
		if !strings.Contains(u.Needs, "(write)") {
			t.Errorf("needs: %s", u.Needs)
		}
	}
	if !slices.Equal(apis, []string{"PUT /orgs/acme/rulesets/21", "POST /orgs/acme/rulesets"}) {
		t.Errorf("unwritable: %v", apis)
	}
	if len(rep.NotApplied) == 0 {
		t.Error("the rulesets apply could not write read back as desired")
	}
}

func TestSecondaryRateLimitsAreWaitedOutThenGiveUp(t *testing.T) {
	for _, tc := range []struct {
		name  string
		limit map[string]int
		ok    bool
	}{
		{"403 twice", map[string]int{"orgs/acme/actions": 2}, true},
		{"429 twice", map[string]int{"429:orgs/acme/rulesets": 2}, true},
		{"403 forever", map[string]int{"orgs/acme/actions/permissions/workflow": 100}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := compliantOrg()
			st.SecondaryLimit = tc.limit
			_, g := startFake(t, st)
			var waits []time.Duration
			g.c.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			rep, err := g.Run(context.Background(), acme, desiredFrom(t, orgConfig), OpCheck)
			if tc.ok {
				if err != nil || len(rep.Differences)+len(rep.Unreadable) != 0 {
					t.Fatalf("err %v, report %+v", err, rep)
				}
				if len(waits) != 2 || waits[0] != 0 {
					t.Errorf("waits %v, want the server's Retry-After: 0 twice", waits)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "secondary rate limit") {
				t.Fatalf("a limit that never lifts must leave the run undecided, got %v", err)
			}
		})
	}
}

func TestRepositoryScope(t *testing.T) {
	st := mustState(`{"settings": {
	  "repos/acme/app": {"id": 1296269, "name": "app", "full_name": "acme/app", "private": false,
	    "security_and_analysis": {"secret_scanning": {"status": "enabled"}, "secret_scanning_push_protection": {"status": "disabled"}}},
	  "repos/acme/app/actions/permissions": {"enabled": true, "allowed_actions": "all", "sha_pinning_required": false},
	  "repos/acme/app/actions/permissions/workflow": {"default_workflow_permissions": "read", "can_approve_pull_request_reviews": false}}}`)
	_, g := startFake(t, st)
	d := desiredFrom(t, `version: 1
org-guard:
  actions:
    sha-pinning-required: true
    default-workflow-permissions: read
  immutable-releases: true
  secret-scanning-push-protection: true
`)
	app := Scope{Owner: "acme", Repo: "app"}
	rep := runOp(t, g, app, d, OpCheck)
	var got []string
	for _, x := range rep.Differences {
		got = append(got, x.API+" "+x.Field+" "+x.Actual)
	}
	want := []string{
		"GET /repos/acme/app/actions/permissions sha_pinning_required false",
		"GET /repos/acme/app/immutable-releases enabled false", // GitHub answers 404 when they are off
		"GET /repos/acme/app security_and_analysis.secret_scanning_push_protection.status \"disabled\"",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("differences:\n%s", strings.Join(got, "\n"))
	}
	rep = runOp(t, g, app, d, OpApply)
	if len(rep.NotApplied) != 0 || len(rep.Unreadable) != 0 {
		t.Fatalf("not applied %+v unreadable %+v", rep.NotApplied, rep.Unreadable)
	}
	// PUT replaced the permissions resource: enabled is carried over.
	if rep.Changes[0].Body["enabled"] != true {
		t.Errorf("PUT body: %v", rep.Changes[0].Body)
	}
}

// A repository's read includes its organization's rulesets: they count for
// the code owner check, but a desired repository ruleset is the
// repository's own, never the organization's of the same name.
func TestRepositoryRulesetsAndInheritedOnes(t *testing.T) {
	st := mustState(`{"rulesets": {"orgs/acme": [
	  {"id": 21, "name": "main", "target": "branch", "source_type": "Organization", "source": "acme", "enforcement": "active", "bypass_actors": [],
	   "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}, "repository_name": {"include": ["~ALL"], "exclude": []}},
	   "rules": [{"type": "pull_request", "parameters": {"required_approving_review_count": 1, "dismiss_stale_reviews_on_push": true,
	     "require_code_owner_review": true, "require_last_push_approval": false, "required_review_thread_resolution": false}}]}]}}`)
	srv, g := startFake(t, st)
	d := desiredFrom(t, "version: 1\norg-guard:\n  rulesets:\n    - name: main\n      target: branch\n      include: [\"~DEFAULT_BRANCH\"]\n      no-deletion: true\n  code-owners: [policy/]\n")
	app := Scope{Owner: "acme", Repo: "app"}
	rep := runOp(t, g, app, d, OpCheck)
	if !requiresCodeOwnerReview(rep.Rulesets) {
		t.Error("the organization's ruleset requiring code owner review was not counted")
	}
	if len(rep.Differences) != 1 || rep.Differences[0].Actual != "(no ruleset of that name)" {
		t.Fatalf("differences: %+v", rep.Differences)
	}
	rep = runOp(t, g, app, d, OpApply)
	if len(rep.NotApplied) != 0 || rep.Changes[0].Method != "POST" || rep.Changes[0].Path != "repos/acme/app/rulesets" {
		t.Fatalf("changes %v, not applied %+v", rep.Changes, rep.NotApplied)
	}
	if _, ok := rep.Changes[0].Body["source_type"]; ok {
		t.Errorf("the body sends source_type: %v", rep.Changes[0].Body)
	}
	if n := len(srv.RulesetsOf("orgs/acme")); n != 1 {
		t.Errorf("the organization's rulesets changed: %d", n)
	}
}

// A spent primary rate limit answers 403 too, but it says nothing about
// permissions: the run is undecided, not a missing-permission finding.
func TestPrimaryRateLimitIsUndecidedNotAMissingPermission(t *testing.T) {
	st := compliantOrg()
	st.RateLimited = true
	_, g := startFake(t, st)
	rep, err := g.Run(context.Background(), acme, desiredFrom(t, orgConfig), OpCheck)
	if err == nil || !strings.Contains(err.Error(), "rate limit is spent until 2026-") {
		t.Fatalf("report %+v, err %v", rep, err)
	}
}
