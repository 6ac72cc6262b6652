// Command reproducible is the reproducible container action; see README.md.
package main

import (
	"os"

	// The image is FROM scratch and the gate reads registries over TLS:
	// embed CA roots (this gate signs and verifies nothing, so it does not
	// get them through shared/sigstore).
	_ "golang.org/x/crypto/x509roots/fallback"

	"github.com/hubgates/hub/actions/reproducible/repro"
	"github.com/hubgates/hub/shared/gate"
)

func main() { os.Exit(gate.Main(repro.Gate)) }
