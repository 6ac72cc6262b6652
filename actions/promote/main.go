// Command promote is the promote gate's entry point: in its container,
// under "go run ./actions/promote", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/promote/promotegate"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(promotegate.Gate)) }
