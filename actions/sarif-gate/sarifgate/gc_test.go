package sarifgate

import (
	"runtime/debug"
	"testing"
)

func TestTuneGCRestoresAndDefersToTheEnvironment(t *testing.T) {
	before := debug.SetGCPercent(100)
	debug.SetGCPercent(before)
	restore := tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(400); got != 400 {
		t.Errorf("GC percent during the run = %d, want 400", got)
	}
	if got := debug.SetMemoryLimit(-1); got != memoryLimit {
		t.Errorf("memory limit during the run = %d, want %d", got, memoryLimit)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got == memoryLimit {
		t.Errorf("memory limit after the run = %d, not restored", got)
	}
	if got := debug.SetGCPercent(before); got != before {
		t.Errorf("GC percent after the run = %d, want %d", got, before)
	}
	restore = tuneGC(func(k string) string {
		if k == "GOGC" {
			return "50"
		}
		return ""
	})
	if got := debug.SetGCPercent(before); got != before {
		t.Errorf("GOGC set: GC percent changed to %d", got)
	}
	restore()
}
