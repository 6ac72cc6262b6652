package actions

import (
	"github.com/hubgates/hub/actions/cache-sentinel/sentinel"
	"github.com/hubgates/hub/actions/dr-drill/drill"
	"github.com/hubgates/hub/actions/egress-probe/probe"
	"github.com/hubgates/hub/actions/evidence/evidencegate"
	"github.com/hubgates/hub/actions/kyverno-proof/proof"
	"github.com/hubgates/hub/actions/org-guard/orgguard"
	"github.com/hubgates/hub/actions/policy/policygate"
	"github.com/hubgates/hub/actions/promote/promotegate"
	"github.com/hubgates/hub/actions/rekor-monitor/monitor"
	"github.com/hubgates/hub/actions/reproducible/repro"
	"github.com/hubgates/hub/actions/runner-budget/budget"
	"github.com/hubgates/hub/actions/sarif-gate/sarifgate"
	"github.com/hubgates/hub/actions/sbom-gate/sbomgate"
	"github.com/hubgates/hub/actions/secret-sweep/sweep"
	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/actions/telemetry/telemetrygate"
	"github.com/hubgates/hub/actions/verify-provenance/provenance"
	"github.com/hubgates/hub/actions/verify-signature/sigverify"
	"github.com/hubgates/hub/actions/workflow-audit/audit"
	"github.com/hubgates/hub/shared/gate"
)

// All returns every gate hub ships, in the order the README lists them.
func All() []*gate.Gate {
	return []*gate.Gate{
		audit.Gate,
		sarifgate.Gate,
		sentinel.Gate,
		signer.Gate,
		sigverify.Gate,
		provenance.Gate,
		monitor.Gate,
		sbomgate.Gate,
		policygate.Gate,
		orgguard.Gate,
		evidencegate.Gate,
		promotegate.Gate,
		drill.Gate,
		repro.Gate,
		proof.Gate,
		telemetrygate.Gate,
		budget.Gate,
		sweep.Gate,
		probe.Gate,
	}
}
