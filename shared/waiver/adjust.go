package waiver

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// Adjust applies the section's rule settings to fs and returns the result:
// findings of a disabled rule are dropped, and a rule with a severity
// setting has its findings' severity replaced. fs itself is not changed.
// Gates call it on their rules' findings before [Policy.Apply], and again
// on the waiver findings Apply returns, so the waiver rules can be tuned
// too.
func (g GateConfig) Adjust(fs []finding.Finding) []finding.Finding {
	if len(g.Rules) == 0 {
		return slices.Clone(fs)
	}
	byRule := make(map[string]RuleSetting, len(g.Rules))
	for _, r := range g.Rules {
		byRule[r.Rule] = r
	}
	out := make([]finding.Finding, 0, len(fs))
	for _, f := range fs {
		r, ok := byRule[f.Rule]
		switch {
		case !ok:
		case r.Disabled:
			continue
		case r.Severity != nil:
			f.Severity = *r.Severity
		}
		out = append(out, f)
	}
	return out
}

// CheckRules reports every rule setting, and every waiver whose rule is an
// exact id, that names a rule not in known, each as a *ParseError wrapping
// ErrUnknownRule at the line it is written. A gate whose rules are fixed
// (workflow-audit) calls it so that a misspelt id is exit 2 instead of a
// setting that silently does nothing; a gate that reads other tools' rules
// (sarif-gate) cannot know them all and does not.
func (g GateConfig) CheckRules(known []finding.Rule) error {
	ids := make([]string, len(known))
	for i, r := range known {
		ids[i] = r.ID
	}
	slices.Sort(ids)
	var errs []error
	bad := func(at Position, where, id string) {
		errs = append(errs, &ParseError{Path: at.Path, Line: at.Line, Err: fmt.Errorf("%w: %s: expected one of %s, got %q",
			ErrUnknownRule, where, strings.Join(ids, ", "), id)})
	}
	for _, r := range g.Rules {
		if !slices.Contains(ids, r.Rule) {
			bad(r.Source, g.Gate+".rules", r.Rule)
		}
	}
	for i, w := range g.Waivers {
		if w.Rule != "" && !strings.Contains(w.Rule, "*") && !slices.Contains(ids, w.Rule) {
			bad(w.Source, fmt.Sprintf("%s.waivers[%d].rule", g.Gate, i), w.Rule)
		}
	}
	return errors.Join(errs...)
}
