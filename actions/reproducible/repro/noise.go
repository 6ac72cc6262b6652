package repro

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/waiver"
)

// noiseOption is one line of the noise input: differences of one rule
// whose subject matches a glob are accepted until a date.
type noiseOption struct {
	Line    int    `json:"line"`
	Rule    string `json:"rule"`
	Glob    string `json:"glob"`
	Until   string `json:"until"`
	Expired bool   `json:"expired"`
	Matched int    `json:"matched"`
}

// parseNoise reads the noise input's lines, "RULE GLOB until YYYY-MM-DD".
// A date further ahead than maxDays is refused, as a waiver's is; a date
// already past is accepted and reported as expired.
func parseNoise(lines []string, now time.Time, maxDays int) ([]*noiseOption, error) {
	today := now.UTC().Truncate(24 * time.Hour)
	var out []*noiseOption
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		f := strings.Fields(l)
		if len(f) != 4 || f[2] != "until" {
			return nil, fmt.Errorf("line %d %q: want \"RULE GLOB until YYYY-MM-DD\", for example \"entry-mtime usr/share/doc/** until %s\"", i+1, l, today.AddDate(0, 0, 30).Format(waiver.DateLayout))
		}
		if !slices.Contains(noiseRules, f[0]) {
			return nil, fmt.Errorf("line %d: unknown rule %q, want one of %s", i+1, f[0], strings.Join(noiseRules, ", "))
		}
		if !doublestar.ValidatePattern(f[1]) {
			return nil, fmt.Errorf("line %d: glob %q is not a valid pattern", i+1, f[1])
		}
		until, err := time.Parse(waiver.DateLayout, f[3])
		if err != nil {
			return nil, fmt.Errorf("line %d: date %q: want YYYY-MM-DD", i+1, f[3])
		}
		if latest := today.AddDate(0, 0, maxDays); until.After(latest) {
			return nil, fmt.Errorf("line %d: %s is more than %d days ahead (at most %s): every accepted noise is reviewed again", i+1, f[3], maxDays, latest.Format(waiver.DateLayout))
		}
		out = append(out, &noiseOption{Line: i + 1, Rule: f[0], Glob: f[1], Until: f[3], Expired: until.Before(today)})
	}
	return out, nil
}

// matches reports whether the option covers a difference.
func (o *noiseOption) matches(d diff) bool {
	if o.Rule != d.rule {
		return false
	}
	ok, _ := doublestar.Match(o.Glob, d.subject)
	return ok
}

// suppression records the option on a finding it accepts.
func (o *noiseOption) suppression() *finding.Suppression {
	return &finding.Suppression{Kind: "external", Justification: fmt.Sprintf("accepted noise: %s %s until %s", o.Rule, o.Glob, o.Until),
		Expires: o.Until, Source: fmt.Sprintf("noise input, line %d", o.Line)}
}
