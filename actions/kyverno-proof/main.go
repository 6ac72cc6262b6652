// Command kyverno-proof is the kyverno-proof gate's entry point: in its
// container, under "go run ./actions/kyverno-proof", and in the test
// suite. Its second binary, the engine, is built from the nested module
// in engine/.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/kyverno-proof/proof"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(proof.Gate)) }
