package sarifgate

import "runtime/debug"

// memoryLimit is the soft ceiling tuneGC sets: with it, a 200 MB input of
// half a million results peaks under 600 MiB of resident memory (see the
// README's memory figures). Above it the collector runs more often rather
// than letting the heap grow to five times what is live; a report whose
// live data alone exceeds it still completes, collected at up to half the
// CPU, as Go's memory limit does.
const memoryLimit = 480 << 20

// tuneGC makes the garbage collector run less often while the gate runs,
// within a bound: reading, normalizing and writing 100,000 results
// allocates a few hundred megabytes, and with Go's default of collecting
// whenever the heap doubles the collector spends a third of the run
// re-scanning what stays live. Collecting at five times the live heap
// roughly halves that cost, and the soft limit of memoryLimit keeps the
// peak bounded on large inputs, where the live heap (results are kept
// compressed, see store.go) is the small part. A GOGC or GOMEMLIMIT in the
// environment wins. The returned function restores the previous settings.
func tuneGC(getenv func(string) string) (restore func()) {
	if getenv == nil || getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(400)
	limit := debug.SetMemoryLimit(memoryLimit)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
