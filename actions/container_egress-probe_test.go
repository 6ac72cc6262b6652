package actions

import (
	"strings"
	"testing"
)

// The egress-probe image as the runner runs it, on a container network of
// its own with no way out (--network none, so no probe leaves the
// machine): every default probe (public IP literal, paste site, metadata
// address, DNS-over-HTTPS, arbitrary port) is blocked and the gate
// passes; with an allowed destination that cannot be reached it denies.
func TestEgressProbeContainer(t *testing.T) {
	requireDocker(t)
	ws := t.TempDir()
	r := runGateImage(t, "egress-probe", ws, map[string]string{"timeout": "1s", "evidence-dir": "evidence"}, nil, "none")
	r.wantExit(t, 0)
	r.wantOutputs(t, map[string]string{"verdict": "passed", "blocked": "6", "reachable": "0", "leaks": "0"})
	r.wantSummaryHead(t, "## ✅ egress-probe: passed")
	for _, want := range []string{"`http://169.254.169.254/latest/meta-data/` | blocked | ⛔ blocked at tcp", "`https://dns.google/dns-query` | blocked | ⛔ blocked at dns"} {
		if !strings.Contains(string(r.Summary), want) {
			t.Errorf("summary lacks %q:\n%s", want, r.Summary)
		}
	}

	r = runGateImage(t, "egress-probe", ws, map[string]string{"timeout": "1s", "allow": "tcp://127.0.0.1:9"}, nil, "none")
	r.wantExit(t, 1)
	r.wantOutputs(t, map[string]string{"verdict": "denied", "findings": "1"})
	if !strings.Contains(r.Stdout, "tcp://127.0.0.1:9 is allowed and was blocked at tcp: refused [allowed-unreachable]") {
		t.Errorf("no allowed-unreachable finding:\n%s", r.Stdout)
	}
}
