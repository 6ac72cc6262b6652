// Command rekor-monitor is the rekor-monitor gate's entry point: in its
// container, under "go run ./actions/rekor-monitor", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/rekor-monitor/monitor"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(monitor.Gate)) }
