package actions

import (
	"os/exec"
	"strings"
	"testing"
)

// Gates run FROM scratch, so a gate that can open a TLS connection must
// link the embedded CA roots, and a gate that cannot should not pay for
// parsing them at start-up. The network clients hub uses (Sigstore, OCI
// registries, plain HTTP) tell which is which.
func TestNetworkGatesEmbedCARoots(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const roots = "golang.org/x/crypto/x509roots/fallback"
	network := []string{"github.com/sigstore/sigstore-go/pkg/verify", "github.com/google/go-containerregistry/pkg/v1/remote", "github.com/hubgates/hub/shared/sigstore",
		"github.com/google/go-github/v75/github"}
	offline := map[string]bool{"sarif-gate": true}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		gateDir, ok := strings.CutPrefix(pkg, "github.com/hubgates/hub/actions/")
		if !ok || strings.Contains(gateDir, "/") {
			continue // only the gates' main packages
		}
		seen++
		has := map[string]bool{}
		for _, d := range strings.Fields(deps) {
			has[d] = true
		}
		usesNetwork := false
		for _, n := range network {
			usesNetwork = usesNetwork || has[n]
		}
		switch {
		case usesNetwork && !has[roots]:
			t.Errorf("%s reaches the network but does not link %s", gateDir, roots)
		case offline[gateDir] && (usesNetwork || has[roots]):
			t.Errorf("%s is an offline gate but links network clients or %s", gateDir, roots)
		}
	}
	if seen < len(All()) {
		t.Errorf("checked %d gate commands, the catalogue has %d", seen, len(All()))
	}
}
