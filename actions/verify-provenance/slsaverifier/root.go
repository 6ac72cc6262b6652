package main

import (
	"fmt"
	"os"
	"sync"
	_ "unsafe" // go:linkname

	"github.com/sigstore/sigstore-go/pkg/root"
	_ "github.com/slsa-framework/slsa-verifier/v2/verifiers/utils" // the variables linked below
)

// slsa-verifier keeps the trusted root it fetched through TUF in these
// two unexported variables and offers no option to give one: linking to
// them is the only way to run its verification from a root file, without
// the network. Both are set once, before any verification.
//
//go:linkname slsaTrustedRoot github.com/slsa-framework/slsa-verifier/v2/verifiers/utils.trustedRoot
var slsaTrustedRoot *root.LiveTrustedRoot

//go:linkname slsaTrustedRootOnce github.com/slsa-framework/slsa-verifier/v2/verifiers/utils.trustedRootOnce
var slsaTrustedRootOnce *sync.Once

// useTrustedRoot makes slsa-verifier use the trusted root in path.
func useTrustedRoot(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	tr, err := root.NewTrustedRootFromJSON(data)
	if err != nil {
		return fmt.Errorf("not a trusted root: %w", err)
	}
	slsaTrustedRootOnce.Do(func() { slsaTrustedRoot = &root.LiveTrustedRoot{TrustedRoot: tr} })
	return nil
}
