package orgguard

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/hubgates/hub/actions/org-guard/orgfake"
	"github.com/hubgates/hub/shared/waiver"
)

// orgConfig is a configuration asking for every setting org-guard knows.
const orgConfig = `version: 1
org-guard:
  actions:
    allowed-actions: selected
    github-owned-allowed: true
    verified-allowed: false
    patterns-allowed: ["hubgates/hub/*"]
    sha-pinning-required: true
    default-workflow-permissions: read
    can-approve-pull-request-reviews: false
    fork-pr-approval: all_external_contributors
  rulesets:
    - name: hub default branch
      target: branch
      include: ["~DEFAULT_BRANCH"]
      pull-request:
        approvals: 1
        code-owner-review: true
        dismiss-stale-reviews: true
      required-status-checks: [workflow-audit, sbom-gate]
      linear-history: true
      no-force-push: true
      no-deletion: true
    - name: hub release tags
      target: tag
      include: ["refs/tags/v*"]
      no-update: true
      no-deletion: true
      restrict-creation: true
  immutable-releases: true
  secret-scanning-push-protection: true
`

func desiredFrom(t *testing.T, text string) *Desired {
	t.Helper()
	p, err := waiver.NewPolicy(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := p.Parse(".github/hub.yml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseDesired(".github/hub.yml", cfg.Gate(gateName).Settings)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// compliantOrg is organization acme as orgConfig asks, in the API's
// response shapes, with a third ruleset org-guard does not manage.
func compliantOrg() orgfake.State {
	return mustState(`{
  "settings": {
    "orgs/acme": {"login": "acme", "id": 9919, "node_id": "MDEyOk9yZ2FuaXphdGlvbjk5MTk=", "url": "https://api.github.com/orgs/acme",
      "type": "Organization", "two_factor_requirement_enabled": true, "default_repository_permission": "read",
      "secret_scanning_enabled_for_new_repositories": true, "secret_scanning_push_protection_enabled_for_new_repositories": true},
    "orgs/acme/actions/permissions": {"enabled_repositories": "all", "allowed_actions": "selected",
      "selected_actions_url": "https://api.github.com/orgs/acme/actions/permissions/selected-actions", "sha_pinning_required": true},
    "orgs/acme/actions/permissions/selected-actions": {"github_owned_allowed": true, "verified_allowed": false, "patterns_allowed": ["hubgates/hub/*"]},
    "orgs/acme/actions/permissions/workflow": {"default_workflow_permissions": "read", "can_approve_pull_request_reviews": false},
    "orgs/acme/actions/permissions/fork-pr-contributor-approval": {"approval_policy": "all_external_contributors"},
    "orgs/acme/settings/immutable-releases": {"enforced_repositories": "all", "selected_repositories_url": "https://api.github.com/orgs/acme/settings/immutable-releases/repositories"}
  },
  "rulesets": {"orgs/acme": [
    {"id": 21, "name": "hub default branch", "target": "branch", "source_type": "Organization", "source": "acme", "enforcement": "active",
     "bypass_actors": [{"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "pull_request"}],
     "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}, "repository_name": {"include": ["~ALL"], "exclude": [], "protected": true}},
     "rules": [{"type": "deletion"}, {"type": "non_fast_forward"}, {"type": "required_linear_history"},
       {"type": "pull_request", "parameters": {"required_approving_review_count": 2, "dismiss_stale_reviews_on_push": true, "require_code_owner_review": true,
         "require_last_push_approval": false, "required_review_thread_resolution": false, "allowed_merge_methods": ["squash"]}},
       {"type": "required_status_checks", "parameters": {"strict_required_status_checks_policy": true, "do_not_enforce_on_create": false,
         "required_status_checks": [{"context": "workflow-audit", "integration_id": 15368}, {"context": "sbom-gate"}, {"context": "unit tests"}]}}],
     "node_id": "RRS_lACqUmVwb3NpdG9yec4AAAAV", "_links": {"self": {"href": "https://api.github.com/orgs/acme/rulesets/21"}},
     "created_at": "2026-03-02T09:00:00.000Z", "updated_at": "2026-03-02T09:00:00.000Z", "current_user_can_bypass": "never"},
    {"id": 22, "name": "hub release tags", "target": "tag", "source_type": "Organization", "source": "acme", "enforcement": "active", "bypass_actors": [],
     "conditions": {"ref_name": {"include": ["refs/tags/v*"], "exclude": []}, "repository_name": {"include": ["~ALL"], "exclude": []}},
     "rules": [{"type": "update", "parameters": {"update_allows_fetch_and_merge": false}}, {"type": "deletion"}, {"type": "creation"}],
     "node_id": "RRS_lACqUmVwb3NpdG9yec4AAAAW", "created_at": "2026-03-02T09:00:00.000Z", "updated_at": "2026-03-02T09:00:00.000Z"},
    {"id": 23, "name": "docs", "target": "branch", "source_type": "Organization", "source": "acme", "enforcement": "evaluate", "bypass_actors": [],
     "conditions": {"ref_name": {"include": ["refs/heads/docs/*"], "exclude": []}, "repository_name": {"include": ["~ALL"], "exclude": []}},
     "rules": [{"type": "deletion"}]}
  ]},
  "page_size": 1
}`)
}

func mustState(s string) orgfake.State {
	var st orgfake.State
	if err := json.Unmarshal([]byte(s), &st); err != nil {
		panic(err)
	}
	return st
}

func startFake(t *testing.T, st orgfake.State) (*orgfake.Server, *Guard) {
	t.Helper()
	srv := orgfake.New("ghs_test", st)
	t.Cleanup(srv.Close)
	g, err := NewGuard("ghs_test", srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return srv, g
}

func runOp(t *testing.T, g *Guard, s Scope, d *Desired, op string) *Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := g.Run(ctx, s, d, op)
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
	return rep
}
