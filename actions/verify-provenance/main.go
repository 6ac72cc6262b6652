// Command verify-provenance is the verify-provenance gate's entry point:
// in its container, under "go run ./actions/verify-provenance", and in the
// test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/verify-provenance/provenance"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(provenance.Gate)) }
