// Command secret-sweep is the secret-sweep gate's entry point: in its
// container, under "go run ./actions/secret-sweep", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/secret-sweep/sweep"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(sweep.Gate)) }
