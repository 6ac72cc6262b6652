// Command reproducible is the reproducible container action; see README.md.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/reproducible/repro"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(repro.Gate)) }
