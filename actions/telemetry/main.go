// Command telemetry is the telemetry gate's entry point: in its container,
// under "go run ./actions/telemetry", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/telemetry/telemetrygate"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(telemetrygate.Gate)) }
