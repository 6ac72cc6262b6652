package budget

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v75/github"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/signing"
	"github.com/hubgates/hub/shared/waiver"
)

// The gate's own inputs and outputs.
const (
	inputGroup      = "group"
	inputMinutes    = "minutes"
	inputSLOWindow  = "slo-window"
	inputRepository = "repository"
	inputToken      = "github-token"
	inputAPIURL     = "github-api-url"
	inputTimeout    = "timeout"
	inputRegion     = "grid-region"
	inputDashboards = "dashboard-links"
	inputCacheTelem = "cache-telemetry"
	outputAdmitted  = "admitted"
	outputLevel     = "level"
	outputWait      = "wait-seconds"
	outputP50       = "queue-p50-seconds"
	outputP95       = "queue-p95-seconds"
)

const gateName = "runner-budget"

// Gate is runner-budget as a hub gate.
var Gate = &gate.Gate{
	Spec: gate.Spec{
		Name:  gateName,
		Title: "a fair share of runners per group, with queue-time SLOs",
		Description: "Admits a job when its group's token bucket of runner minutes, replayed from GitHub's own records of the jobs " +
			"in the window, holds what the job asks for, or denies it saying how long until enough refill; and measures " +
			"queue time (created to started) p50 and p95 for the group and each of its runner labels against the targets in .github/hub.yml.",
		Inputs: append([]gate.Input{
			{Name: inputGroup, Kind: gate.String, Required: true,
				Description: "The group this job draws from, as named under runner-budget.groups in the configuration file."},
			{Name: inputMinutes, Kind: gate.Int, Default: "10", Check: positive,
				Description: "Runner minutes the job asks for: admitted when the bucket holds at least this many."},
			{Name: inputSLOWindow, Kind: gate.Duration, Default: "24h",
				Description: "How far back queue times are measured for the SLOs."},
			{Name: inputRepository, Kind: gate.String,
				Description: "The repository whose job records are read (owner/repo). Empty means the run's own (GITHUB_REPOSITORY)."},
			{Name: inputToken, Kind: gate.Secret, Required: true,
				Description: "A token that can read the repository's Actions runs and jobs (the job's GITHUB_TOKEN with actions: read)."},
			{Name: inputAPIURL, Kind: gate.String, Default: "https://api.github.com",
				Description: "The GitHub REST API (set it for GitHub Enterprise Server); http:// only for a loopback address."},
			{Name: inputRegion, Kind: gate.String, Default: "East US",
				Description: "The Azure region whose grid intensity turns the jobs' energy into carbon (GitHub does not publish where a hosted runner runs). One of the regions in the gate's footprint table (see the README)."},
			{Name: inputDashboards, Kind: gate.List,
				Description: "Links to the repository's dashboards, one per line, listed under the charts in the step summary."},
			{Name: inputCacheTelem, Kind: gate.List,
				Description: "Telemetry NDJSON files or globs in the workspace (the telemetry-file of earlier steps); the hits, misses and bytes of cache-sentinel's verify events in them are summed into the summary, the evidence and this run's telemetry."},
			{Name: inputTimeout, Kind: gate.Duration, Default: "1m",
				Description: "Longest time for reading the job records, every page included."},
		}, waiver.Inputs()...),
		Outputs: []gate.Output{
			{Name: outputAdmitted, Description: "true when the bucket holds the minutes asked, false when not (in warn mode too)."},
			{Name: outputLevel, Description: "The runner minutes the group's bucket holds now, rounded down (negative when overdrawn)."},
			{Name: outputWait, Description: "Seconds until the bucket holds the minutes asked: 0 when admitted, -1 when it never will."},
			{Name: outputP50, Description: "The group's p50 queue time over slo-window, in seconds."},
			{Name: outputP95, Description: "The group's p95 queue time over slo-window, in seconds."},
		},
		Rules: Rules,
	},
	Run: run,
}

func positive(v any) error {
	if n, ok := v.(int); ok && n < 1 {
		return errors.New("want 1 or more")
	}
	return nil
}

func run(ctx context.Context, in *gate.Inputs) (*gate.Result, error) {
	setup, err := waiver.FromInputs(in, gateName, Rules)
	if err != nil {
		return nil, err
	}
	file := waiver.DefaultPath
	if len(setup.Read) > 0 {
		file = setup.Read[0].Path
	}
	groups, err := ParseGroups(file, setup.Gate.Settings["groups"])
	if err != nil {
		return nil, gate.BadConfig(err)
	}
	name := in.String(inputGroup)
	g, ok := groups[name]
	if !ok {
		return nil, gate.BadInputf(inputGroup, name, "is not a group of runner-budget.groups in %s (groups: %s)", file, orNone(Names(groups)))
	}
	repo := cmp.Or(in.String(inputRepository), in.Env.Repository)
	if _, _, ok := cutRepo(repo); !ok {
		return nil, gate.BadInputf(inputRepository, repo, "want owner/repo")
	}
	api, err := signing.ServiceURL(inputAPIURL, in.String(inputAPIURL))
	if err != nil {
		return nil, err
	}
	base, _ := url.Parse(api + "/")
	gh := github.NewClient(&http.Client{Timeout: in.Duration(inputTimeout)}).WithAuthToken(in.String(inputToken))
	gh.BaseURL = base
	ctx, cancel := context.WithTimeoutCause(ctx, in.Duration(inputTimeout),
		fmt.Errorf("reading the job records did not finish within the timeout of %v", in.Duration(inputTimeout)))
	defer cancel()
	now, window := in.Env.Now, in.Duration(inputSLOWindow)
	jobs, err := Fetch(ctx, gh, repo, now.Add(-max(g.Window(), window)))
	if err != nil {
		return nil, err
	}
	d := g.Decide(jobs, float64(in.Int(inputMinutes)), now)
	fp, err := LoadFootprint()
	if err != nil {
		return nil, err
	}
	region := in.String(inputRegion)
	if _, ok := fp.Grid.GramsPerKWh[region]; !ok {
		return nil, gate.BadInputf(inputRegion, region, "is not in the footprint table (regions: %s)", strings.Join(regions(fp), ", "))
	}
	for _, l := range in.List(inputDashboards) {
		if u, err := url.Parse(l); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, gate.BadInputf(inputDashboards, l, "want an https:// link")
		}
	}
	cache, err := ReadCacheUse(in.Workspace(), inputCacheTelem, in.List(inputCacheTelem))
	if err != nil {
		return nil, err
	}
	res := result(g, d, slos(g, jobs, now, window), len(jobs))
	addFootprint(res, fp, g, jobs, now, window, region, in.List(inputDashboards))
	addCache(res, cache, len(in.List(inputCacheTelem)) > 0)
	return res, nil
}

// slos measures the group's queue times, then each runner label's among
// the group's jobs.
func slos(g Group, jobs []Job, now time.Time, window time.Duration) []SLO {
	since := now.Add(-window)
	out := []SLO{Measure("group "+g.Name, QueueTimes(jobs, since, now, g.Matches), g.QueueP50, g.QueueP95)}
	var labels []string
	for _, j := range jobs {
		if g.Matches(j) {
			labels = append(labels, j.Labels...)
		}
	}
	slices.Sort(labels)
	for _, l := range slices.Compact(labels) {
		times := QueueTimes(jobs, since, now, func(j Job) bool { return g.Matches(j) && slices.Contains(j.Labels, l) })
		out = append(out, Measure("label "+l, times, g.QueueP50, g.QueueP95))
	}
	return out
}

func result(g Group, d Decision, ss []SLO, jobs int) *gate.Result {
	res := &gate.Result{Facts: map[string]any{"decision": d, "slos": ss}}
	add := func(rule, msg string, sev finding.Severity) {
		res.Findings = append(res.Findings, finding.Finding{Rule: rule, Severity: sev, Message: msg, Fingerprint: finding.Fingerprint(rule, g.Name, msg)})
	}
	wait := int64(d.Wait / time.Second)
	switch {
	case d.Admitted:
	case d.Wait < 0:
		wait = -1
		add(RuleExhausted, fmt.Sprintf("group %s holds %.1f of %.0f runner minutes and this job asks for %.0f: it never will (refill %.0f an hour)", g.Name, d.Level, d.Capacity, d.Asked, g.RefillPerHour), finding.High)
	default:
		add(RuleExhausted, fmt.Sprintf("group %s holds %.1f of %.0f runner minutes and this job asks for %.0f: enough refill in %v", g.Name, d.Level, d.Capacity, d.Asked, d.Wait), finding.High)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Group **%s**: %.1f of %.0f runner minutes, refilled at %.0f an hour; %d job records read.\n\n", gate.MarkdownText(g.Name), d.Level, d.Capacity, g.RefillPerHour, jobs)
	b.WriteString("| Queue time of | Jobs | p50 | p95 | Target p50 | Target p95 |\n|---|---|---|---|---|---|\n")
	for _, s := range ss {
		for _, br := range []struct {
			breached    bool
			p           string
			got, target time.Duration
		}{{s.Breached50, "p50", s.P50, s.TargetP50}, {s.Breached95, "p95", s.P95, s.TargetP95}} {
			if br.breached {
				add(RuleQueueSLO, fmt.Sprintf("%s: %s queue time %v over %d jobs is above the target %v", s.Scope, br.p, br.got, s.Jobs, br.target), finding.Medium)
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %v | %v | %s | %s |\n", gate.MarkdownText(s.Scope), s.Jobs, s.P50, s.P95, target(s.TargetP50), target(s.TargetP95))
	}
	res.Denied = len(res.Findings) > 0
	if d.Admitted {
		res.Reason = fmt.Sprintf("Admitted: group %s holds %.1f runner minutes, this job asks for %.0f.", g.Name, d.Level, d.Asked)
	} else {
		res.Reason = fmt.Sprintf("Not admitted: group %s holds %.1f runner minutes, this job asks for %.0f.", g.Name, d.Level, d.Asked)
	}
	res.Details = b.String()
	res.Outputs = map[string]string{
		outputAdmitted: strconv.FormatBool(d.Admitted),
		outputLevel:    strconv.FormatInt(int64(d.Level), 10),
		outputWait:     strconv.FormatInt(wait, 10),
		outputP50:      strconv.FormatInt(int64(ss[0].P50/time.Second), 10),
		outputP95:      strconv.FormatInt(int64(ss[0].P95/time.Second), 10),
	}
	res.Counters = map[string]int64{"jobs": int64(jobs), "asked_minutes": int64(d.Asked), "wait_seconds": max(wait, 0),
		"queue_p50_seconds": int64(ss[0].P50 / time.Second), "queue_p95_seconds": int64(ss[0].P95 / time.Second)}
	if d.Admitted {
		res.Counters["admitted"] = 1
	}
	return res
}

func target(d time.Duration) string {
	if d == 0 {
		return "none"
	}
	return d.String()
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func regions(fp *Footprint) []string {
	var out []string
	for r := range fp.Grid.GramsPerKWh {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// addFootprint adds the cost and carbon of the group's jobs that started
// in the window to the result: per job in the evidence, totals in the
// telemetry counters, and charts per workflow and per job in the summary.
func addFootprint(res *gate.Result, fp *Footprint, g Group, jobs []Job, now time.Time, window time.Duration, region string, links []string) {
	since := now.Add(-window)
	var all []JobFootprint
	byWorkflowUSD, byWorkflowCO2, byJobUSD := map[string]float64{}, map[string]float64{}, map[string]float64{}
	var usd, kwh, co2 float64
	for _, j := range jobs {
		if !g.Matches(j) || j.Started.IsZero() || j.Started.Before(since) {
			continue
		}
		f := fp.Of(j, now, region)
		all = append(all, f)
		usd, kwh, co2 = usd+f.USD, kwh+f.KWh, co2+f.GramsCO2
		byWorkflowUSD[f.Workflow] += f.USD
		byWorkflowCO2[f.Workflow] += f.GramsCO2
		byJobUSD[fmt.Sprintf("%s #%d", f.Workflow, f.Job)] += f.USD
	}
	facts := res.Facts.(map[string]any)
	facts["footprint"] = map[string]any{"table": fp.Version, "region": region, "jobs": all, "usd": usd, "kWh": kwh, "gramsCO2e": co2}
	res.Counters["cost_microusd"] = int64(math.Round(usd * 1e6))
	res.Counters["energy_mwh"] = int64(math.Round(kwh * 1e6))
	res.Counters["carbon_mg"] = int64(math.Round(co2 * 1e3))
	var b strings.Builder
	fmt.Fprintf(&b, "\n### Cost and carbon over %v\n\n%d jobs of group %s: **$%.4f**, %.6f kWh, **%.3f g CO2e** (grid: %s, %.3f g/kWh; footprint table %s).\n\n",
		window, len(all), gate.MarkdownText(g.Name), usd, kwh, co2, region, fp.Grid.GramsPerKWh[region], fp.Version)
	if len(all) > 0 {
		b.WriteString(mermaidBars("Cost per workflow (USD)", "USD", byWorkflowUSD))
		b.WriteString(mermaidBars("Carbon per workflow (g CO2e)", "g CO2e", byWorkflowCO2))
		b.WriteString(mermaidBars("Cost per job (USD)", "USD", byJobUSD))
	}
	if len(links) > 0 {
		b.WriteString("\nDashboards:\n")
		for _, l := range links {
			fmt.Fprintf(&b, "- %s\n", gate.MarkdownText(l))
		}
	}
	res.Details += b.String()
}

// addCache reports the cache use read from cache-sentinel's events.
func addCache(res *gate.Result, u CacheUse, asked bool) {
	if !asked {
		return
	}
	res.Facts.(map[string]any)["cache"] = u
	res.Counters["cache_hits"], res.Counters["cache_misses"], res.Counters["cache_bytes"] = u.Hits, u.Misses, u.Bytes
	rate := "no lookups"
	if n := u.Hits + u.Misses; n > 0 {
		rate = fmt.Sprintf("hit rate %.1f%%", float64(u.Hits)*100/float64(n))
	}
	res.Details += fmt.Sprintf("\nCache (%d cache-sentinel verify events): %d hits, %d misses, %d bytes checked, %s.\n", u.Events, u.Hits, u.Misses, u.Bytes, rate)
}
