package sarifgate

import "runtime/debug"

// tuneGC makes the garbage collector run less often while the gate runs:
// reading, normalizing and writing 100,000 results allocates a few hundred
// megabytes that mostly live until the end, and with Go's default of
// collecting whenever the heap doubles the collector spends a third of the
// run re-scanning them. Collecting at five times the live heap, with a soft
// ceiling of 2 GiB so a very large input is still collected in time,
// roughly halves that cost. A GOGC or GOMEMLIMIT in the environment wins.
// The returned function restores the previous settings.
func tuneGC(getenv func(string) string) (restore func()) {
	if getenv == nil || getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	percent := debug.SetGCPercent(400)
	limit := debug.SetMemoryLimit(2 << 30)
	return func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
}
