package gate

import (
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
)

// Result is what a gate found, as data. The runtime turns it into the exit
// code, outputs, summary, annotations, SARIF, evidence and telemetry.
type Result struct {
	// Denied is the gate's verdict: it found what it guards against.
	Denied bool
	// Reason is one line saying why the gate passed or denied, shown under
	// the verdict ("2 findings at or above high").
	Reason string
	// Findings are every finding, denied or not; the runtime sorts them.
	Findings []finding.Finding
	// Outputs are the gate's own outputs by name; every name must be
	// declared in the Spec.
	Outputs map[string]string
	// Details is Markdown appended to the step summary after the findings
	// table.
	Details string
	// Read lists what the gate looked at, with digests, for the evidence.
	Read []evidence.Artifact
	// Counters are numbers for telemetry ("files": 12).
	Counters map[string]int64
	// Facts are what the gate established beside its findings (a proof's
	// verdicts, say), recorded as JSON in the evidence under "facts".
	Facts any
}
