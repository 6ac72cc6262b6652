package orgguard

import (
	"context"
	"errors"
	"net/http"
)

// The operations.
const (
	OpCheck = "check"
	OpPlan  = "plan"
	OpApply = "apply"
)

// Report is what one operation found and did.
type Report struct {
	Scope Scope `json:"-"`
	// Differences are the settings not as desired (before apply changed
	// them).
	Differences []Difference `json:"differences"`
	// Unreadable are the settings the token may not read or write.
	Unreadable []Unreadable `json:"unreadable"`
	// Changes are the requests that make the settings as desired: what
	// plan prints and apply sends.
	Changes []Change `json:"changes"`
	// Applied are the changes apply made.
	Applied []Change `json:"-"`
	// NotApplied are the differences still there when apply read the
	// settings back.
	NotApplied []Difference `json:"not_applied,omitempty"`
	// Rulesets are the scope's rulesets as read (the last read, after
	// apply), for the code owner check.
	Rulesets []apiRuleset `json:"-"`
	// rulesetsRead is set when the rulesets could be read.
	rulesetsRead bool
}

// Guard runs an operation against the GitHub API.
type Guard struct {
	c *client
}

// NewGuard returns a Guard for the API at apiURL ("" is
// https://api.github.com) with token; hc nil is a client with a 30 second
// timeout a request.
func NewGuard(token, apiURL string, hc *http.Client) (*Guard, error) {
	c, err := newClient(token, apiURL, hc)
	if err != nil {
		return nil, err
	}
	return &Guard{c: c}, nil
}

// Calls is the number of API requests made so far.
func (g *Guard) Calls() int { return g.c.calls }

// Run performs op (check, plan or apply) for s against d. Settings the
// token may not read are Unreadable, never as desired; any other failure
// (a server error, a spent rate limit, a timeout) is returned.
func (g *Guard) Run(ctx context.Context, s Scope, d *Desired, op string) (*Report, error) {
	rep, err := g.check(ctx, s, d)
	if err != nil || op != OpApply || len(rep.Changes) == 0 {
		return rep, err
	}
	for _, ch := range rep.Changes {
		if err := g.write(ctx, s, d, ch); err != nil {
			u, err := unreadable(err, firstConfig(ch), firstLine(ch), "apply could not write it")
			if err != nil {
				return nil, err
			}
			rep.Unreadable = append(rep.Unreadable, u)
			continue
		}
		rep.Applied = append(rep.Applied, ch)
	}
	// Read everything back: a write the server accepted but did not keep
	// (a policy above the organization, a field it ignores) shows here.
	back, err := g.check(ctx, s, d)
	if err != nil {
		return nil, err
	}
	rep.NotApplied = back.Differences
	rep.Unreadable = append(rep.Unreadable, back.Unreadable...)
	rep.Rulesets, rep.rulesetsRead = back.Rulesets, back.rulesetsRead
	return rep, nil
}

func firstConfig(ch Change) string {
	if len(ch.Fixes) > 0 {
		return ch.Fixes[0].Config
	}
	return ""
}

func firstLine(ch Change) int {
	if len(ch.Fixes) > 0 {
		return ch.Fixes[0].Line
	}
	return 0
}

// check reads every setting d names and compares.
func (g *Guard) check(ctx context.Context, s Scope, d *Desired) (*Report, error) {
	rep := &Report{Scope: s}
	for _, ep := range endpoints(s, d) {
		st := ep.read(ctx, g.c, s)
		if st.err != nil {
			for _, f := range ep.fields {
				u, err := unreadable(st.err, f.config, f.line, "")
				if err != nil {
					return nil, err
				}
				rep.Unreadable = append(rep.Unreadable, u)
			}
			continue
		}
		diffs, unread := ep.compare(st, s)
		rep.Differences = append(rep.Differences, diffs...)
		rep.Unreadable = append(rep.Unreadable, unread...)
		if len(diffs) > 0 {
			rep.Changes = append(rep.Changes, ep.change(st, diffs))
		}
	}
	if len(d.Rulesets) == 0 && len(d.CodeOwners) == 0 {
		return rep, nil
	}
	all, err := listRulesets(ctx, g.c, s)
	if err != nil {
		var pe *PermissionError
		if !errors.As(err, &pe) {
			return nil, err
		}
		for _, want := range d.Rulesets {
			u, _ := unreadable(err, "rulesets."+want.Name, want.Line, "")
			rep.Unreadable = append(rep.Unreadable, u)
		}
		for _, co := range d.CodeOwners {
			u, _ := unreadable(err, "code-owners", co.Line, "the rulesets say whether code owners must review")
			rep.Unreadable = append(rep.Unreadable, u)
		}
		return rep, nil
	}
	rep.Rulesets, rep.rulesetsRead = all, true
	for i := range d.Rulesets {
		want := &d.Rulesets[i]
		got := findRuleset(all, want.Name)
		diffs := compareRuleset(s, want, got)
		rep.Differences = append(rep.Differences, diffs...)
		if len(diffs) > 0 {
			ch, _ := rulesetChange(s, want, got, diffs)
			rep.Changes = append(rep.Changes, ch)
		}
	}
	return rep, nil
}

func (g *Guard) write(ctx context.Context, s Scope, d *Desired, ch Change) error {
	for _, ep := range endpoints(s, d) {
		if ep.path == ch.Path {
			return ep.apply(ctx, g.c, s, ch)
		}
	}
	_, err := g.c.do(ctx, ch.Method, ch.Path, ch.Body, nil, s.needs(true))
	return err
}
