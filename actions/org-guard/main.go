// Command org-guard is the org-guard gate's entry point: in its container,
// under "go run ./actions/org-guard", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/org-guard/orgguard"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(orgguard.Gate)) }
