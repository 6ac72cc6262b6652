package budget

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The README's worked example, by hand: job A of the budget example, 30
// minutes on ubuntu-24.04 (linux_2_core: 2 vCPUs, $0.006 a minute) in
// East US (379.069 g/kWh).
//
//	cost   30 x 0.006                              = $0.18
//	watts  2 x (0.78 + 0.5 x (3.76 - 0.78))        = 4.54 W
//	energy 4.54 W x 0.5 h x 1.125 PUE / 1000       = 0.00255375 kWh
//	carbon 0.00255375 x 379.069                    = 0.968049... g CO2e
func TestFootprintWorkedExample(t *testing.T) {
	f, err := LoadFootprint()
	if err != nil {
		t.Fatal(err)
	}
	if f.Version == "" || f.Prices.Source == "" || f.Prices.Retrieved == "" || f.Energy.Source == "" || f.Grid.Source == "" {
		t.Fatal("the table must carry its version, sources and date")
	}
	a := Job{ID: 1, Workflow: "ci", Labels: []string{"ubuntu-24.04"}, Created: ago(95), Started: ago(90), Completed: ago(60)}
	fp := f.Of(a, now, "East US")
	if fp.SKU != "linux_2_core" || fp.Billed != 30 || !near(fp.USD, 0.18) || !near(fp.KWh, 0.00255375) || !near(fp.GramsCO2, 0.00255375*379.069) {
		t.Fatalf("%+v", fp)
	}
	// 30.2 minutes are billed as 31; energy counts the real 30.2.
	a.Completed = a.Completed.Add(12e9)
	if fp := f.Of(a, now, "East US"); fp.Billed != 31 || !near(fp.USD, 31*0.006) {
		t.Errorf("rounding: %+v", fp)
	}
	// A self-hosted runner is not in the table: minutes, no cost.
	if fp := f.Of(Job{Labels: []string{"self-hosted"}, Started: ago(10), Completed: ago(5)}, now, "East US"); fp.SKU != "" || fp.USD != 0 || fp.Minutes != 5 {
		t.Errorf("unknown runner: %+v", fp)
	}
}
