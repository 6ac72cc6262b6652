// Command runner-budget is the runner-budget gate's entry point: in its
// container, under "go run ./actions/runner-budget", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/runner-budget/budget"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(budget.Gate)) }
