package actions

import (
	"context"
	"testing"

	"github.com/hubgates/hub/actions/workflow-audit/audit"
)

// TestHubPassesItsOwnWorkflowAudit runs workflow-audit over this repository
// with its default paths: every uses: and image in hub is pinned, and every
// workflow and action.yml is one GitHub accepts.
func TestHubPassesItsOwnWorkflowAudit(t *testing.T) {
	rep, err := audit.Scan(context.Background(), "..", audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		t.Errorf("%s (%s)", f, f.Severity)
	}
	kinds := map[string]int{}
	for _, f := range rep.Files {
		kinds[f.Kind]++
	}
	// The audit must actually have looked: the CI workflow, every gate's
	// action.yml and the Dockerfile.
	if kinds[audit.KindWorkflow] == 0 || kinds[audit.KindAction] < len(All()) || kinds[audit.KindDockerfile] == 0 {
		t.Errorf("scanned too little to vouch for the repository: %v", kinds)
	}
}
