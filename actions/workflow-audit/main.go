// Command workflow-audit is the workflow-audit gate's entry point: in its
// container, under "go run ./actions/workflow-audit", and in the test suite.
package main

import (
	"os"
	"runtime/debug"

	"github.com/hubgates/hub/actions/workflow-audit/audit"
	"github.com/hubgates/hub/shared/gate"
)

func main() {
	// A scan allocates parse trees that die with each file and keeps
	// little: collecting at twice the default heap growth cut the run's
	// CPU time by about a sixth on the benchmark corpus (bench/bench.sh),
	// for a heap that stays a few tens of MiB. GOGC, when set, still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	os.Exit(gate.Main(audit.Gate))
}
