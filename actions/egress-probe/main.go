// Command egress-probe is the egress-probe gate's entry point: in its
// container, under "go run ./actions/egress-probe", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/egress-probe/probe"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(probe.Gate)) }
