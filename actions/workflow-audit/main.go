// Command workflow-audit is the workflow-audit gate's entry point: in its
// container, under "go run ./actions/workflow-audit", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/workflow-audit/audit"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(audit.Gate)) }
