// Command dr-drill is the dr-drill gate's entry point: in its container,
// under "go run ./actions/dr-drill", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/dr-drill/drill"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(drill.Gate)) }
