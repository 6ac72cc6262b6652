package sbomgate

import (
	"fmt"
	"math"
	"strings"
)

// RiskParams are the risk formula's settings, from the inputs of the same
// names.
type RiskParams struct {
	Threshold       float64 // risk-threshold
	KEVBonus        float64 // kev-bonus
	EPSSBonus       float64 // epss-bonus
	EPSSProbability float64 // epss-probability
	EPSSPercentile  float64 // epss-percentile
}

// Risk is a vulnerability's risk score with its parts, so a summary can
// show how it was reached.
type Risk struct {
	Vuln Vulnerability
	// Base is where the score starts: the CVSS base score (BaseFrom
	// "CVSS, report" or "CVSS, highest given"), else the bottom of the
	// scanner's severity band ("severity high"), else 0 ("no score").
	Base     float64
	BaseFrom string
	// InKEV says the CVE is in the KEV catalogue, KEVAdded since when;
	// KEVPoints is what that added.
	InKEV     bool
	KEVAdded  string
	KEVPoints float64
	// EPSS is the CVE's EPSS score when the feed has it; EPSSPoints is
	// what it added.
	EPSS       EPSSScore
	HasEPSS    bool
	EPSSPoints float64
	// Score is min(10, Base + KEVPoints + EPSSPoints), to one decimal.
	Score float64
}

// Score computes a vulnerability's risk:
//
//	risk = min(10, base + kev-bonus·[in KEV] + epss-bonus·[EPSS probability ≥ epss-probability or percentile ≥ epss-percentile])
//
// rounded to one decimal, where base is the CVSS base score the report
// gives (else the highest it gives), else the bottom of its severity's
// CVSS band (critical 9.0, high 7.0, medium 4.0, low 0.1). KEV and EPSS
// are looked up by the vulnerability's CVE id (among its aliases); a nil
// kev or epss adds nothing.
func Score(v Vulnerability, kev *KEV, epss *EPSS, p RiskParams) Risk {
	r := Risk{Vuln: v, BaseFrom: "no score"}
	switch {
	case v.HasCVSS:
		r.Base, r.BaseFrom = v.CVSS, "CVSS, "+v.CVSSFrom
	default:
		if s, ok := severityScore(v.Severity); ok {
			r.Base, r.BaseFrom = s, "severity "+v.Severity
		}
	}
	cve := v.CVE()
	if kev != nil && cve != "" {
		if added, ok := kev.Added[cve]; ok {
			r.InKEV, r.KEVAdded, r.KEVPoints = true, added, p.KEVBonus
		}
	}
	if epss != nil && cve != "" {
		if s, ok := epss.Scores[cve]; ok {
			r.EPSS, r.HasEPSS = s, true
			if s.Probability >= p.EPSSProbability || s.Percentile >= p.EPSSPercentile {
				r.EPSSPoints = p.EPSSBonus
			}
		}
	}
	r.Score = math.Min(10, round1(r.Base+r.KEVPoints+r.EPSSPoints))
	return r
}

// round1 rounds half up to one decimal.
func round1(x float64) float64 { return math.Floor(x*10+0.5+1e-9) / 10 }

// BaseText is where the score starts, in words: "CVSS 7.5 (report)",
// "severity high 7.0", "no score 0.0".
func (r Risk) BaseText() string {
	if from, ok := strings.CutPrefix(r.BaseFrom, "CVSS, "); ok {
		return fmt.Sprintf("CVSS %.1f (%s)", r.Base, from)
	}
	return fmt.Sprintf("%s %.1f", r.BaseFrom, r.Base)
}

// Breakdown writes the score's parts: "CVSS 5.5 (report) + KEV 3 + EPSS 1.5 (p 0.31, pct 0.98)".
func (r Risk) Breakdown() string {
	s := r.BaseText()
	switch {
	case r.InKEV:
		s += fmt.Sprintf(" + KEV %g (added %s)", r.KEVPoints, r.KEVAdded)
	default:
		s += " + KEV 0 (not listed)"
	}
	switch {
	case r.HasEPSS:
		s += fmt.Sprintf(" + EPSS %g (probability %.5g, percentile %.5g)", r.EPSSPoints, r.EPSS.Probability, r.EPSS.Percentile)
	default:
		s += " + EPSS 0 (no score)"
	}
	return s
}
