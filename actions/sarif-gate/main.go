// Command sarif-gate is the sarif-gate gate's entry point: in its
// container, under "go run ./actions/sarif-gate", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/sarif-gate/sarifgate"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(sarifgate.Gate)) }
