// Package budget computes a runner fairness budget from GitHub's own
// records of recent jobs: a token bucket of runner minutes per group
// (jobs matched by repository, workflow or runner label), and queue-time
// SLOs (created to started, p50 and p95) per runner label and per group.
//
// The bucket's level is recomputed from the job records on every call,
// never stored: concurrent jobs share no mutable state, and the level
// cannot drift from what GitHub recorded.
package budget
