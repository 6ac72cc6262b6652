package budget

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// footprintJSON is the versioned price, energy and grid table, each part
// with its source and the date it was read.
//
//go:embed footprint.json
var footprintJSON []byte

// Footprint is the table cost and carbon are computed from.
type Footprint struct {
	Version string `json:"version"`
	Prices  struct {
		Source    string   `json:"source"`
		Retrieved string   `json:"retrieved"`
		Runners   []Runner `json:"runners"`
	} `json:"prices"`
	Energy struct {
		Source          string  `json:"source"`
		MinWattsPerVCPU float64 `json:"minWattsPerVCPU"`
		MaxWattsPerVCPU float64 `json:"maxWattsPerVCPU"`
		Utilization     float64 `json:"utilization"`
		PUE             float64 `json:"pue"`
	} `json:"energy"`
	Grid struct {
		Source      string             `json:"source"`
		GramsPerKWh map[string]float64 `json:"gramsPerKWh"`
	} `json:"grid"`
}

// Runner is one priced runner type and the labels that name it.
type Runner struct {
	Labels       []string `json:"labels"`
	SKU          string   `json:"sku"`
	USDPerMinute float64  `json:"usdPerMinute"`
	VCPUs        int      `json:"vcpus"`
}

// LoadFootprint reads the embedded table.
func LoadFootprint() (*Footprint, error) {
	var f Footprint
	if err := json.Unmarshal(footprintJSON, &f); err != nil {
		return nil, fmt.Errorf("reading the footprint table: %w", err)
	}
	return &f, nil
}

// JobFootprint is one job's minutes, cost, energy and carbon.
type JobFootprint struct {
	Job      int64   `json:"job"`
	Workflow string  `json:"workflow"`
	SKU      string  `json:"sku,omitempty"` // empty: runner not in the table
	Minutes  float64 `json:"minutes"`
	Billed   int     `json:"billedMinutes"`
	USD      float64 `json:"usd"`
	KWh      float64 `json:"kWh"`
	GramsCO2 float64 `json:"gramsCO2e"`
}

// runner finds the priced runner a job ran on by its labels.
func (f *Footprint) runner(labels []string) *Runner {
	for i, r := range f.Prices.Runners {
		for _, l := range labels {
			if slices.Contains(r.Labels, l) {
				return &f.Prices.Runners[i]
			}
		}
	}
	return nil
}

// Of computes a job's footprint: cost at the per-minute rate of its
// runner (minutes rounded up, as GitHub bills), energy from the CPU model
// (vCPUs x (min + utilization x (max - min)) watts, times PUE) and carbon
// at the region's grid intensity. A runner not in the table has minutes
// only.
func (f *Footprint) Of(j Job, now time.Time, region string) JobFootprint {
	out := JobFootprint{Job: j.ID, Workflow: j.Workflow, Minutes: j.Minutes(now)}
	r := f.runner(j.Labels)
	if r == nil {
		return out
	}
	out.SKU = r.SKU
	out.Billed = int(math.Ceil(out.Minutes - 1e-9))
	out.USD = float64(out.Billed) * r.USDPerMinute
	e := f.Energy
	watts := float64(r.VCPUs) * (e.MinWattsPerVCPU + e.Utilization*(e.MaxWattsPerVCPU-e.MinWattsPerVCPU))
	out.KWh = watts * out.Minutes / 60 / 1000 * e.PUE
	out.GramsCO2 = out.KWh * f.Grid.GramsPerKWh[region]
	return out
}
