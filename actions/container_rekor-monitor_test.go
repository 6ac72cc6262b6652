package actions

import (
	"testing"
	"time"

	"github.com/hubgates/hub/actions/rekor-monitor/monitor/rekortest"
)

// rekor-monitor against a Rekor on the host (the container shares the
// host's network to reach it), every other input at its default: a new
// state at the log's head, an entry by the release workflow (passes), then
// one by a workflow no allowed pattern accepts (denied).
const actionsIssuer = "https://token.actions.githubusercontent.com"

func TestRekorMonitorContainer(t *testing.T) {
	requireDocker(t)
	l, err := rekortest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ws := t.TempDir()
	inputs := map[string]string{
		"rekor-url": l.URL(), "identities": `^https://github\.com/acme/`, "state-file": "rekor-state.json",
		"allowed-identities": `^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v`,
	}
	if err := l.Add("https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0", actionsIssuer, "refs/tags/v1.0.0", time.Now()); err != nil {
		t.Fatal(err)
	}
	inputs["initialize"] = "true"
	r := runGateImage(t, "rekor-monitor", ws, inputs, nil, "host")
	r.wantExit(t, 0)
	delete(inputs, "initialize")

	if err := l.Add("https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.1.0", actionsIssuer, "refs/tags/v1.1.0", time.Now()); err != nil {
		t.Fatal(err)
	}
	r = runGateImage(t, "rekor-monitor", ws, inputs, nil, "host")
	r.wantExit(t, 0)
	r.wantOutputs(t, map[string]string{"verdict": "passed", "checked": "1", "unexpected": "0"})

	if err := l.Add("https://github.com/acme/app/.github/workflows/ci.yml@refs/heads/feature", actionsIssuer, "refs/heads/feature", time.Now()); err != nil {
		t.Fatal(err)
	}
	r = runGateImage(t, "rekor-monitor", ws, inputs, nil, "host")
	r.wantExit(t, 1)
	r.wantOutputs(t, map[string]string{"verdict": "denied", "unexpected": "1"})
	r.wantSummaryHead(t, "## ❌ rekor-monitor: denied")
}
