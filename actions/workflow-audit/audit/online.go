package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hubgates/hub/shared/finding"
)

// This file runs the online rules: those that ask the GitHub API about
// the repositories that uses: values name (impostor-commit, ref-confusion,
// ref-version-mismatch, stale-action-refs, archived-uses,
// known-vulnerable-actions). They run only when a token is given; without
// one they say that they did not run.

// onlineChecker is a rule that needs the GitHub API. checkOnline looks at
// one uses: and returns an error when the API could not answer.
type onlineChecker interface {
	checkOnline(ctx context.Context, c *ghClient, u usesRef, rep *reporter) error
	// worst is the highest severity the rule can report, to tell whether
	// a failed lookup could have changed the verdict.
	worst() finding.Severity
}

// OnlineOptions configures the online rules.
type OnlineOptions struct {
	// Token authenticates to the GitHub API; empty means the online rules
	// do not run.
	Token string
	// APIURL is the REST API's base URL; empty means https://api.github.com.
	APIURL string
	// Timeout bounds the whole online pass; zero means two minutes.
	Timeout time.Duration
	// Persona is the scan's persona.
	Persona Persona
	// HTTPClient, when set, is used for the requests.
	HTTPClient *http.Client
}

// OnlineReport is what the online pass found.
type OnlineReport struct {
	// Findings of the online rules, finalized (sorted, fingerprinted).
	Findings []finding.Finding
	// NotRun lists the online rules that did not run, sorted, with why in
	// Reason.
	NotRun []string
	Reason string
	// Failures are the lookups the API could not answer, one line each;
	// Worst is the highest severity a failed rule could have reported.
	Failures []string
	Worst    finding.Severity
	// Calls is the number of API requests made; Refs the uses: checked.
	Calls, Refs int
}

// onlineRules returns the online rules of ruleSet, in ID order.
func onlineRules() []rule {
	var out []rule
	for _, r := range ruleSet {
		if _, ok := r.(onlineChecker); ok {
			out = append(out, r)
		}
	}
	return out
}

// OnlineRuleIDs lists the rules that need a token.
func OnlineRuleIDs() []string {
	var out []string
	for _, r := range onlineRules() {
		out = append(out, r.meta().ID)
	}
	return out
}

// CheckOnline runs the online rules over the uses: a scan found. Without
// a token it reports every online rule as not run. It returns an error
// only for a bad option (the API URL).
func CheckOnline(ctx context.Context, rep *Report, opts OnlineOptions) (*OnlineReport, error) {
	out := &OnlineReport{Refs: len(rep.uses)}
	if opts.Token == "" {
		out.NotRun = OnlineRuleIDs()
		out.Reason = "no github-token was given"
		return out, nil
	}
	c, err := newGHClient(opts.Token, opts.APIURL, opts.HTTPClient)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	check := &checkCtx{persona: opts.Persona}
	var found []finding.Finding
	failed := map[string]bool{}
	for _, r := range onlineRules() {
		oc := r.(onlineChecker)
		for _, u := range rep.uses {
			rp := &reporter{rule: r.meta(), path: u.path, ctx: check, out: &found}
			if err := oc.checkOnline(ctx, c, u, rp); err != nil {
				line := fmt.Sprintf("%s: %s at %s:%d: %v", r.meta().ID, u.at.value, u.path, u.at.pos.line, lookupError(err))
				if !failed[line] {
					failed[line] = true
					out.Failures = append(out.Failures, line)
					out.Worst = max(out.Worst, oc.worst())
				}
			}
		}
	}
	out.Findings = finalize(found)
	out.Calls = c.calls
	return out, nil
}

// lookupError says why a lookup failed in words for the log.
func lookupError(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "the online checks ran out of time (timeout)"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	msg := err.Error()
	if strings.Contains(msg, "rate limit") {
		return "the API's rate limit was reached"
	}
	return msg
}

// newestTag returns the highest release version among the tags that point
// at sha, or "".
func newestTag(tags refTips, sha string) string {
	var names []string
	for name, s := range tags {
		if strings.EqualFold(s, sha) {
			names = append(names, name)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		a, aok := parseRelease(names[i])
		b, bok := parseRelease(names[j])
		if aok != bok {
			return aok
		}
		if c := a.compare(b); c != 0 {
			return c > 0
		}
		return names[i] < names[j]
	})
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// tipOf reports whether sha is the tip of one of the refs.
func tipOf(refs refTips, sha string) bool {
	return slices.ContainsFunc(mapValues(refs), func(s string) bool { return strings.EqualFold(s, sha) })
}

func mapValues(m refTips) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
