package actions

import (
	"testing"

	"github.com/hubgates/hub/actions/workflow-audit/ghfake"
)

// runner-budget's image against a fake GitHub API on the host (the
// container shares the host's network), every other input at its
// default: the README's worked example admits 40 minutes and denies 50.
func TestRunnerBudgetContainer(t *testing.T) {
	requireDocker(t)
	api := ghfake.New("ghs_containertoken")
	defer api.Close()
	api.AddRepo("hubgates/fixture", &ghfake.Repo{Runs: []ghfake.Run{
		{ID: 1, Name: "ci", Created: "-95m", Jobs: []ghfake.Job{{ID: 11, Labels: []string{"ubuntu-24.04"}, Created: "-95m", Started: "-90m", Completed: "-60m"}}},
		{ID: 2, Name: "ci", Created: "-31m", Jobs: []ghfake.Job{{ID: 21, Labels: []string{"ubuntu-24.04"}, Created: "-31m", Started: "-30m"}}},
	}})
	ws := t.TempDir()
	writeTree(t, ws, map[string]string{".github/hub.yml": "version: 1\nrunner-budget:\n  groups:\n    ci:\n      label: ubuntu-24.04\n      capacity: 60\n      refill-per-hour: 30\n"})
	inputs := map[string]string{"group": "ci", "minutes": "40", "github-token": api.Token, "github-api-url": api.URL}
	r := runGateImage(t, "runner-budget", ws, inputs, nil, "host")
	r.wantExit(t, 0)
	r.wantOutputs(t, map[string]string{"verdict": "passed", "admitted": "true", "wait-seconds": "0"})
	r.wantSummaryHead(t, "## ✅ runner-budget: passed")

	inputs["minutes"] = "50"
	r = runGateImage(t, "runner-budget", ws, inputs, nil, "host")
	r.wantExit(t, 1)
	r.wantOutputs(t, map[string]string{"verdict": "denied", "admitted": "false"})
}
