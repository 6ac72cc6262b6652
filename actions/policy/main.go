// Command policy is the policy gate's entry point: in its container, under
// "go run ./actions/policy", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/policy/policygate"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(policygate.Gate)) }
