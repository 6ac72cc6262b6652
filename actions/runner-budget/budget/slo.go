package budget

import (
	"slices"
	"time"
)

// QueueTimes returns the queue time (created to started) of every job
// that started within [since, now] and that match accepts, sorted.
func QueueTimes(jobs []Job, since, now time.Time, match func(Job) bool) []time.Duration {
	var out []time.Duration
	for _, j := range jobs {
		if j.Started.IsZero() || j.Started.Before(since) || j.Started.After(now) || !match(j) {
			continue
		}
		out = append(out, max(0, j.Started.Sub(j.Created)))
	}
	slices.Sort(out)
	return out
}

// Percentile is the nearest-rank percentile p (0 < p <= 100) of sorted
// durations: the smallest value with at least p% of them at or below it.
// It is zero for no durations.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100 + 0.999999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// SLO is the queue time of one set of jobs against its targets.
type SLO struct {
	Scope      string        `json:"scope"` // "label ubuntu-24.04" or "group ci"
	Jobs       int           `json:"jobs"`
	P50        time.Duration `json:"p50Ns"`
	P95        time.Duration `json:"p95Ns"`
	TargetP50  time.Duration `json:"targetP50Ns,omitempty"`
	TargetP95  time.Duration `json:"targetP95Ns,omitempty"`
	Breached50 bool          `json:"breachedP50"`
	Breached95 bool          `json:"breachedP95"`
}

// Measure computes an SLO over the queue times against the targets (zero:
// none).
func Measure(scope string, times []time.Duration, p50, p95 time.Duration) SLO {
	s := SLO{Scope: scope, Jobs: len(times), P50: Percentile(times, 50), P95: Percentile(times, 95), TargetP50: p50, TargetP95: p95}
	s.Breached50 = p50 > 0 && len(times) > 0 && s.P50 > p50
	s.Breached95 = p95 > 0 && len(times) > 0 && s.P95 > p95
	return s
}
