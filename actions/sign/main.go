// Command sign is the sign gate's entry point: in its container, under
// "go run ./actions/sign", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(signer.Gate)) }
