package actions

import (
	"strings"
	"testing"

	"github.com/hubgates/hub/actions/org-guard/orgfake"
)

// org-guard's image against the fake REST API on the host (the container
// shares the host's network), every other input at its action.yml default:
// check denies an organization whose settings differ, apply makes them and
// reads back, and a fresh check passes. A value from the server that
// holds workflow commands stays text in the log.
func TestOrgGuardContainer(t *testing.T) {
	requireDocker(t)
	srv := orgfake.New("ghs_containertest", orgfake.State{Settings: map[string]map[string]any{
		"orgs/acme/actions/permissions":          {"enabled_repositories": "all", "allowed_actions": "all\n::error::PWNED\n::stop-commands::x", "sha_pinning_required": false},
		"orgs/acme/actions/permissions/workflow": {"default_workflow_permissions": "write", "can_approve_pull_request_reviews": true},
	}})
	defer srv.Close()
	ws := t.TempDir()
	writeTree(t, ws, map[string]string{".github/hub.yml": "version: 1\norg-guard:\n  actions:\n    allowed-actions: all\n    sha-pinning-required: true\n    default-workflow-permissions: read\n    can-approve-pull-request-reviews: false\n"})
	inputs := map[string]string{"organization": "acme", "github-token": srv.Token, "github-api-url": srv.URL, "evidence-dir": "evidence"}

	r := runGateImage(t, "org-guard", ws, inputs, nil, "host")
	r.wantExit(t, 1)
	r.wantOutputs(t, map[string]string{"verdict": "denied", "differences": "4", "missing-permissions": "0"})
	r.wantSummaryHead(t, "## ❌ org-guard: denied")
	if !strings.Contains(r.Stdout, "PWNED") || !strings.Contains(r.Stdout, "GET /orgs/acme/actions/permissions: sha_pinning_required: expected true, got false") {
		t.Errorf("log:\n%s", r.Stdout)
	}

	inputs["operation"] = "apply"
	r = runGateImage(t, "org-guard", ws, inputs, nil, "host")
	r.wantExit(t, 0)
	r.wantOutputs(t, map[string]string{"verdict": "passed", "changes": "2", "applied": "2"})

	delete(inputs, "operation")
	r = runGateImage(t, "org-guard", ws, inputs, nil, "host")
	r.wantExit(t, 0)
	r.wantOutputs(t, map[string]string{"verdict": "passed", "differences": "0"})
}
