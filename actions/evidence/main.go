// Command evidence is the evidence gate's entry point: in its container,
// under "go run ./actions/evidence", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/evidence/evidencegate"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(evidencegate.Gate)) }
