package budget

import (
	"math"
	"slices"
	"time"
)

// Job is one workflow job as GitHub records it.
type Job struct {
	ID         int64
	Repository string // owner/repo
	Workflow   string // the workflow's name
	Labels     []string
	Created    time.Time
	Started    time.Time // zero while queued
	Completed  time.Time // zero while running
}

// Minutes is the runner time the job has used by now: from start to
// completion, or to now while it runs; zero while queued.
func (j Job) Minutes(now time.Time) float64 {
	if j.Started.IsZero() {
		return 0
	}
	end := j.Completed
	if end.IsZero() || end.After(now) {
		end = now
	}
	if end.Before(j.Started) {
		return 0
	}
	return end.Sub(j.Started).Minutes()
}

// Group is one budget: the jobs it matches share a bucket of runner
// minutes holding at most Capacity and refilled at RefillPerHour.
type Group struct {
	Name string
	// Repository, Workflow and Label, when set, must each match the job
	// (Label: one of the job's runner labels); all empty matches every job.
	Repository, Workflow, Label string
	Capacity                    float64
	RefillPerHour               float64
	// QueueP50 and QueueP95 are the queue-time targets; zero sets none.
	QueueP50, QueueP95 time.Duration
}

// Matches reports whether the job counts against the group.
func (g Group) Matches(j Job) bool {
	return (g.Repository == "" || g.Repository == j.Repository) &&
		(g.Workflow == "" || g.Workflow == j.Workflow) &&
		(g.Label == "" || slices.Contains(j.Labels, g.Label))
}

// Window is how far back the job records must reach for the level to be
// exact: the time an empty bucket takes to fill. Any use before it has
// been refilled by the window's start, so the bucket is full there.
func (g Group) Window() time.Duration {
	if g.RefillPerHour <= 0 {
		return 0
	}
	return time.Duration(g.Capacity / g.RefillPerHour * float64(time.Hour))
}

// Level is the bucket's level at now, replayed from the jobs: full at
// now - Window, each job's minutes taken at its start (a running job's
// minutes so far), refilled in between, never above capacity. Jobs that
// started before the window are left out. The level may go below zero:
// jobs already admitted can overdraw it, and the debt is refilled first.
func (g Group) Level(jobs []Job, now time.Time) float64 {
	start := now.Add(-g.Window())
	var mine []Job
	for _, j := range jobs {
		if g.Matches(j) && !j.Started.IsZero() && !j.Started.Before(start) && !j.Started.After(now) {
			mine = append(mine, j)
		}
	}
	slices.SortFunc(mine, func(a, b Job) int { return a.Started.Compare(b.Started) })
	level, at := g.Capacity, start
	rate := g.RefillPerHour / 60 // per minute
	for _, j := range mine {
		level = math.Min(g.Capacity, level+rate*j.Started.Sub(at).Minutes())
		level -= j.Minutes(now)
		at = j.Started
	}
	return math.Min(g.Capacity, level+rate*now.Sub(at).Minutes())
}

// Decision is the bucket's answer to a job asking for minutes.
type Decision struct {
	Group    string  `json:"group"`
	Level    float64 `json:"level"`
	Capacity float64 `json:"capacity"`
	Asked    float64 `json:"asked"`
	Admitted bool    `json:"admitted"`
	// Wait is how long until the bucket holds what was asked (zero when
	// admitted; -1 when it never will: the group has no refill, or asks
	// more than its capacity).
	Wait time.Duration `json:"waitNs"`
}

// Decide admits a job asking for minutes when the bucket holds them, or
// says how long until it will.
func (g Group) Decide(jobs []Job, minutes float64, now time.Time) Decision {
	level := g.Level(jobs, now)
	d := Decision{Group: g.Name, Level: level, Capacity: g.Capacity, Asked: minutes}
	switch {
	case level >= minutes:
		d.Admitted = true
	case g.RefillPerHour <= 0 || minutes > g.Capacity:
		d.Wait = -1
	default:
		d.Wait = time.Duration((minutes - level) / g.RefillPerHour * float64(time.Hour)).Round(time.Second)
	}
	return d
}
