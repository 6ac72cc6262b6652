package budget

import "github.com/hubgates/hub/shared/finding"

// The rule IDs.
const (
	RuleExhausted = "budget-exhausted"
	RuleQueueSLO  = "queue-slo"
)

// Rules describes every rule runner-budget reports, for SARIF and the
// README.
var Rules = []finding.Rule{
	{ID: RuleExhausted, Severity: finding.High, Summary: "The group's runner minutes are spent",
		Help: "The group's token bucket, replayed from the jobs GitHub recorded in its window, holds fewer runner minutes than this job asks for. The message says how long until enough refill; rerun then, or raise the group's capacity or refill-per-hour in .github/hub.yml."},
	{ID: RuleQueueSLO, Severity: finding.Medium, Summary: "Jobs waited longer for a runner than the target",
		Help: "Over slo-window, the p50 or p95 of the time from a job's creation to its start, for the group or for one of its runner labels, is above the group's queue-p50 or queue-p95."},
}
