package sarifgate

// MarkBaseline marks the results of rep that base also holds (same tool,
// rule, file and fingerprint; the line may differ) as Baseline, and
// returns how many it marked. Both reports must come from Normalize with
// the same options.
func MarkBaseline(rep, base *Report) int {
	known := map[string]bool{}
	for _, it := range base.Items() {
		known[it.Fingerprint] = true
	}
	n := 0
	for _, it := range rep.Items() {
		it.Baseline = known[it.Fingerprint]
		if it.Baseline {
			n++
		}
	}
	return n
}
