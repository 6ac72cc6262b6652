// Command cache-sentinel is the cache-sentinel gate's entry point: in its
// container, under "go run ./actions/cache-sentinel", and in the test suite.
package main

import (
	"os"

	"github.com/hubgates/hub/actions/cache-sentinel/sentinel"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(sentinel.Gate)) }
