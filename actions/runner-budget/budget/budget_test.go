package budget

import (
	"testing"
	"time"
)

var now = time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)

func ago(m int) time.Time { return now.Add(-time.Duration(m) * time.Minute) }

// The worked example, by hand: 60 minutes of capacity refilled at 30 an
// hour (a 2-hour window). Full at 10:00; job A (10:30 to 11:00, 30 min)
// takes the level to 30; by 11:30 it is back at 60 (capped) and job B,
// running since then, takes 30; by 12:00 another 15 have refilled: 45.
func TestLevelWorkedExample(t *testing.T) {
	g := Group{Name: "ci", Label: "ubuntu-24.04", Capacity: 60, RefillPerHour: 30}
	jobs := []Job{
		{ID: 1, Labels: []string{"ubuntu-24.04"}, Created: ago(95), Started: ago(90), Completed: ago(60)},
		{ID: 2, Labels: []string{"ubuntu-24.04"}, Created: ago(31), Started: ago(30)},
		{ID: 3, Labels: []string{"ubuntu-24.04"}, Created: ago(181), Started: ago(180), Completed: ago(125)}, // before the window
		{ID: 4, Labels: []string{"windows-2025"}, Created: ago(20), Started: ago(20)},                        // another group
		{ID: 5, Labels: []string{"ubuntu-24.04"}, Created: ago(1)},                                           // queued: no minutes yet
	}
	if g.Window() != 2*time.Hour {
		t.Fatalf("window %v", g.Window())
	}
	if got := g.Level(jobs, now); got != 45 {
		t.Fatalf("level %v, want 45", got)
	}
	if d := g.Decide(jobs, 40, now); !d.Admitted || d.Wait != 0 {
		t.Errorf("asking 40 of 45: %+v", d)
	}
	// 5 minutes short at 30 an hour: 10 minutes.
	if d := g.Decide(jobs, 50, now); d.Admitted || d.Wait != 10*time.Minute {
		t.Errorf("asking 50 of 45: %+v", d)
	}
	if d := g.Decide(jobs, 61, now); d.Admitted || d.Wait != -1 {
		t.Errorf("asking more than the capacity: %+v", d)
	}
	if d := (Group{Capacity: 60}).Decide(jobs, 1000, now); d.Admitted || d.Wait != -1 {
		t.Errorf("no refill: %+v", d)
	}
}

// Jobs running together overdraw the bucket; the debt is refilled first.
func TestLevelOverdrawn(t *testing.T) {
	g := Group{Name: "heavy", Repository: "o/r", Capacity: 30, RefillPerHour: 60}
	var jobs []Job
	for i := range 3 {
		jobs = append(jobs, Job{ID: int64(i), Repository: "o/r", Created: ago(20), Started: ago(20)})
	}
	// 30, minus 3 x 20 taken at 11:40, plus 20 refilled by 12:00: -10.
	if got := g.Level(jobs, now); got != -10 {
		t.Fatalf("level %v, want -10", got)
	}
	if d := g.Decide(jobs, 5, now); d.Admitted || d.Wait != 15*time.Minute {
		t.Errorf("%+v", d)
	}
}

func TestMatches(t *testing.T) {
	j := Job{Repository: "o/r", Workflow: "ci", Labels: []string{"self-hosted", "gpu"}}
	for g, want := range map[Group]bool{
		{}: true, {Label: "gpu"}: true, {Label: "cpu"}: false, {Repository: "o/r", Workflow: "ci"}: true,
		{Repository: "o/x"}: false, {Workflow: "release", Label: "gpu"}: false,
	} {
		if g.Matches(j) != want {
			t.Errorf("%+v: want %v", g, want)
		}
	}
}

// Nearest rank over 1..20 minutes: p50 is the 10th, p95 the 19th.
func TestPercentilesAndSLO(t *testing.T) {
	var jobs []Job
	for i := 1; i <= 20; i++ {
		jobs = append(jobs, Job{Labels: []string{"l"}, Created: ago(100), Started: ago(100).Add(time.Duration(i) * time.Minute)})
	}
	jobs = append(jobs, Job{Labels: []string{"l"}, Created: ago(5)}) // still queued: no queue time yet
	times := QueueTimes(jobs, ago(120), now, func(Job) bool { return true })
	if len(times) != 20 {
		t.Fatalf("%d queue times", len(times))
	}
	if p := Percentile(times, 50); p != 10*time.Minute {
		t.Errorf("p50 %v", p)
	}
	if p := Percentile(times, 95); p != 19*time.Minute {
		t.Errorf("p95 %v", p)
	}
	s := Measure("label l", times, 10*time.Minute, 15*time.Minute)
	if s.Breached50 || !s.Breached95 {
		t.Errorf("%+v", s)
	}
	if s := Measure("none", nil, time.Minute, time.Minute); s.Breached50 || s.Breached95 {
		t.Errorf("no jobs breached: %+v", s)
	}
}
