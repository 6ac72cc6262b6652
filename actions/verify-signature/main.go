// Command verify-signature is the verify-signature gate's entry point: in
// its container, under "go run ./actions/verify-signature", and in the
// test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/verify-signature/sigverify"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(sigverify.Gate)) }
