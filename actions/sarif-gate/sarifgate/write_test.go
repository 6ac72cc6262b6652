package sarifgate

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/sarif/schema"
)

// outLog is the part of an output log the tests look at.
type outLog struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID         string         `json:"id"`
					Properties map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
			Extensions []struct {
				Name  string `json:"name"`
				Rules []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"extensions"`
		} `json:"tool"`
		AutomationDetails struct {
			ID string `json:"id"`
		} `json:"automationDetails"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex *int   `json:"ruleIndex"`
			Rule      *struct {
				Index         int `json:"index"`
				ToolComponent struct {
					Index int `json:"index"`
				} `json:"toolComponent"`
			} `json:"rule"`
			Level               string            `json:"level"`
			BaselineState       string            `json:"baselineState"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Properties          map[string]any    `json:"properties"`
			Suppressions        []struct {
				Kind          string `json:"kind"`
				Status        string `json:"status"`
				Justification string `json:"justification"`
			} `json:"suppressions"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

// check validates data against the SARIF schema and code scanning's
// rules, and decodes it.
func check(t *testing.T, data []byte) outLog {
	t.Helper()
	if err := schema.Validate(data); err != nil {
		t.Fatalf("output is not valid SARIF: %v", err)
	}
	var log outLog
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) > MaxRuns {
		t.Errorf("%d runs", len(log.Runs))
	}
	keys := map[string]bool{}
	for _, r := range log.Runs {
		key := r.Tool.Driver.Name + "\x00" + r.AutomationDetails.ID
		if keys[key] || r.AutomationDetails.ID == "" {
			t.Errorf("run %q: category %q missing or shared", r.Tool.Driver.Name, r.AutomationDetails.ID)
		}
		keys[key] = true
		if len(r.Results) > MaxResultsPerRun {
			t.Errorf("run %q: %d results", r.Tool.Driver.Name, len(r.Results))
		}
		for i, res := range r.Results {
			switch {
			case res.Rule != nil:
				ext := r.Tool.Extensions[res.Rule.ToolComponent.Index]
				if ext.Rules[res.Rule.Index].ID != res.RuleID {
					t.Errorf("run %q result %d: rule reference points at %q, not %q", r.Tool.Driver.Name, i, ext.Rules[res.Rule.Index].ID, res.RuleID)
				}
			case res.RuleIndex != nil:
				if got := r.Tool.Driver.Rules[*res.RuleIndex].ID; got != res.RuleID {
					t.Errorf("run %q result %d: ruleIndex points at %q, not %q", r.Tool.Driver.Name, i, got, res.RuleID)
				}
			}
			if len(res.Locations) == 0 || res.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" {
				t.Errorf("run %q result %d has no file location: code scanning rejects the upload", r.Tool.Driver.Name, i)
			}
		}
	}
	return log
}

func TestWriteTools(t *testing.T) {
	rep := Normalize(sources(t, toolFixtures(t)...), testOptions)
	// Waive one result as a waiver would.
	for _, it := range rep.Items() {
		if it.RuleID == "B602" {
			it.Suppression = &finding.Suppression{Kind: "external", Justification: "runs a fixed command", Expires: "2030-01-31", Source: "hub.yml:12"}
			it.Waived = true
		}
	}
	MarkBaseline(rep, Normalize(sources(t, "testdata/tools/gosec.sarif"), testOptions))
	out, err := Write(rep, WriteOptions{Baseline: true})
	if err != nil {
		t.Fatal(err)
	}
	log := check(t, out.Data)
	if len(log.Runs) != 10 || out.Results != len(rep.Items()) || out.Trimmed != 0 {
		t.Fatalf("%d runs, %d results (of %d), %d trimmed", len(log.Runs), out.Results, len(rep.Items()), out.Trimmed)
	}
	for _, r := range log.Runs {
		for _, res := range r.Results {
			switch {
			case res.Properties["hub/fingerprint"] == nil || res.Properties["hub/severity"] == nil:
				t.Errorf("%s: no hub properties", res.RuleID)
			case r.Tool.Driver.Name == "gosec" && res.BaselineState != "unchanged", r.Tool.Driver.Name != "gosec" && res.BaselineState != "new":
				t.Errorf("%s %s: baselineState %q", r.Tool.Driver.Name, res.RuleID, res.BaselineState)
			}
			if res.RuleID == "B602" {
				if len(res.Suppressions) != 1 || res.Suppressions[0].Kind != "external" || res.Suppressions[0].Justification != "runs a fixed command" {
					t.Errorf("waived result suppressions %+v", res.Suppressions)
				}
			}
			if res.RuleID == "B608" && res.Level != "note" {
				t.Errorf("B608 (low) level %q, want note", res.Level)
			}
			if r.Tool.Driver.Name == "gitleaks" && res.PartialFingerprints[FingerprintKey] == "" {
				t.Errorf("gitleaks result without partialFingerprints got none from the gate")
			}
		}
	}
	golden(t, "tools.sarif.golden", out.Data)
}

// synth writes a SARIF log for tool with one result per level.
func synth(tool string, levels []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":%q,"rules":[{"id":"R1"}]}},"results":[`, tool)
	for i, l := range levels {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"ruleId":"R1","level":%q,"message":{"text":"finding %d"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"src/f%d.go"},"region":{"startLine":%d}}}]}`, l, i, i%50, i+1)
	}
	b.WriteString("]}]}")
	return []byte(b.String())
}

func synthReport(t *testing.T, logs map[string][]byte, order []string) *Report {
	t.Helper()
	var srcs []Source
	for _, name := range order {
		log, err := Read(context.Background(), bytes.NewReader(logs[name]), 0)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, Source{Name: name + ".sarif", Log: log})
	}
	return Normalize(srcs, Options{DefaultSeverity: finding.High})
}

func TestWriteRunLimit(t *testing.T) {
	logs := map[string][]byte{}
	var order []string
	for i := range 23 {
		level := "note"
		if i%5 == 0 {
			level = "error"
		}
		name := fmt.Sprintf("tool%02d", i)
		logs[name] = synth(name, []string{level})
		order = append(order, name)
	}
	rep := synthReport(t, logs, order)
	extra := json.RawMessage(`{"tool":{"driver":{"name":"hub/sarif-gate"}},"automationDetails":{"id":"sarif-gate/hub-sarif-gate/"},"results":[]}`)
	out, err := Write(rep, WriteOptions{Extra: []json.RawMessage{extra}})
	if err != nil {
		t.Fatal(err)
	}
	log := check(t, out.Data)
	if len(log.Runs) != MaxRuns || out.Trimmed != 4 || out.TrimmedBySeverity[finding.Low] != 4 {
		t.Fatalf("%d runs, %d trimmed (%v)", len(log.Runs), out.Trimmed, out.TrimmedBySeverity)
	}
	kept := map[string]bool{}
	for _, r := range log.Runs {
		kept[r.Tool.Driver.Name] = true
	}
	for _, high := range []string{"tool00", "tool05", "tool10", "tool15", "tool20", "hub/sarif-gate"} {
		if !kept[high] {
			t.Errorf("run %s was dropped; the runs with the least severe results go first", high)
		}
	}
}

func TestWriteResultsPerRunLimit(t *testing.T) {
	levels := make([]string, MaxResultsPerRun+10)
	for i := range levels {
		levels[i] = "note"
		if i >= MaxResultsPerRun {
			levels[i] = "error" // the last ten are the worst
		}
	}
	rep := synthReport(t, map[string][]byte{"big": synth("big", levels)}, []string{"big"})
	out, err := Write(rep, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	log := check(t, out.Data)
	errors := 0
	for _, res := range log.Runs[0].Results {
		if res.Level == "error" {
			errors++
		}
	}
	if len(log.Runs[0].Results) != MaxResultsPerRun || errors != 10 || out.Trimmed != 10 || len(out.Notes) != 1 {
		t.Fatalf("%d results, %d errors, %d trimmed, notes %q", len(log.Runs[0].Results), errors, out.Trimmed, out.Notes)
	}
	trimmed := 0
	for _, it := range rep.Items() {
		if it.Trimmed {
			trimmed++
			if it.Severity != finding.Low {
				t.Errorf("a %s result was trimmed", it.Severity)
			}
		}
	}
	if trimmed != 10 {
		t.Errorf("%d items marked trimmed", trimmed)
	}
}

func TestWriteGzipLimit(t *testing.T) {
	levels := make([]string, 3000)
	for i := range levels {
		levels[i] = []string{"note", "warning", "error"}[i%3]
	}
	rep := synthReport(t, map[string][]byte{"many": synth("many", levels)}, []string{"many"})
	const target = 20_000
	out, err := Write(rep, WriteOptions{GzipTarget: target})
	if err != nil {
		t.Fatal(err)
	}
	check(t, out.Data)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(out.Data)
	zw.Close()
	if gz.Len() > target || out.Trimmed == 0 || out.Results+out.Trimmed != len(levels) {
		t.Fatalf("gzip %d bytes (target %d), %d written, %d trimmed", gz.Len(), target, out.Results, out.Trimmed)
	}
	// Least severe first: no high result may go while a low one stays.
	keptLow, trimmedHigh := false, false
	for _, it := range rep.Items() {
		keptLow = keptLow || (!it.Trimmed && it.Severity == finding.Low)
		trimmedHigh = trimmedHigh || (it.Trimmed && it.Severity == finding.High)
	}
	if keptLow && trimmedHigh {
		t.Error("a high result was trimmed while a low one was kept")
	}
	if !strings.Contains(strings.Join(out.Notes, "\n"), "gzip") {
		t.Errorf("notes %q do not explain the trim", out.Notes)
	}
}

func TestWriteEmptyReport(t *testing.T) {
	out, err := Write(&Report{}, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	check(t, out.Data)
}
