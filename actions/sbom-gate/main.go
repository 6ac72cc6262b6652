// Command sbom-gate is the sbom-gate container action; see README.md.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/sbom-gate/sbomgate"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(sbomgate.Gate)) }
