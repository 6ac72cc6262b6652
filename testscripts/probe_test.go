package testscripts

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

// probeGate is a gate that exists only in the test suite: its "behave"
// input drives the runtime's paths (panic, a gate that ignores SIGTERM, a
// deny) through the real process, as a shipped gate would take them.
func probeGate() *gate.Gate {
	return &gate.Gate{
		Spec: gate.Spec{
			Name:        "runtime-probe",
			Title:       "drives the gate runtime in tests",
			Description: "A test-only gate. Its behave input selects a runtime path.",
			Inputs: []gate.Input{
				{Name: "behave", Kind: gate.Enum, Values: []string{"pass", "deny", "panic", "wait-for-cancel"}, Default: "pass", Description: "What the probe does."},
				{Name: "token", Kind: gate.Secret, Description: "A secret to check masking."},
				{Name: "file", Kind: gate.Path, Description: "A file to read and record."},
				{Name: "ready-file", Kind: gate.Path, Description: "A file to create once the probe waits for cancellation."},
			},
			Rules: []finding.Rule{{ID: "probe", Severity: finding.High, Summary: "The probe was asked to deny.", Help: "Ask it to pass."}},
		},
		Run: func(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
			res := &gate.Result{Counters: map[string]int64{"probes": 1}}
			if p := in.Path("file"); p != "" {
				b, err := os.ReadFile(p)
				if err != nil {
					return nil, fmt.Errorf("reading %q: %w", in.Raw("file"), err)
				}
				res.Read = []evidence.Artifact{{Path: filepath.Base(p), Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))}}
			}
			switch in.String("behave") {
			case "deny":
				res.Denied = true
				res.Reason = "asked to deny"
				res.Findings = []finding.Finding{{Rule: "probe", Severity: finding.High, Message: "denied on request with token " + in.String("token"), Path: "probe.txt", Line: 1, Fingerprint: "probe"}}
			case "panic":
				panic("probe asked to panic")
			case "wait-for-cancel":
				if err := os.WriteFile(in.Path("ready-file"), []byte("ready\n"), 0o644); err != nil {
					return nil, err
				}
				<-ctx.Done()
				time.Sleep(10 * time.Millisecond)
				return nil, ctx.Err()
			}
			return res, nil
		},
	}
}
