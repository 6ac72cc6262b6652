package sarifgate

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// Where a result's severity came from, in the order they are tried. The
// summary counts results by source so a reader sees how much rests on the
// default.
const (
	FromResultScore = "result security-severity"
	FromToolField   = "tool severity property"
	FromRuleScore   = "rule security-severity"
	FromTag         = "severity tag"
	FromLevel       = "result level"
	FromRuleLevel   = "rule default level"
	FromDefault     = "default-severity"
	// FromConfig marks a severity set by a rule setting in hub's
	// configuration file, which overrides all of the above.
	FromConfig = "configuration"
)

// band places a CVSS-like score in GitHub's security-severity bands:
// critical >= 9.0, high >= 7.0, medium >= 4.0, low >= 0.1, and below that
// info. ok is false for what is not a score from 0 to 10.
func band(text string) (finding.Severity, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 10 {
		return finding.Info, false
	}
	switch {
	case f >= 9:
		return finding.Critical, true
	case f >= 7:
		return finding.High, true
	case f >= 4:
		return finding.Medium, true
	case f >= 0.1:
		return finding.Low, true
	}
	return finding.Info, true
}

// word reads a severity word as scanners write it (Bandit's "HIGH",
// zizmor's "High", Grype's "Negligible", GitHub's "moderate"). "unknown"
// and anything else are not severities.
func word(s string) (finding.Severity, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return finding.Critical, true
	case "high":
		return finding.High, true
	case "medium", "moderate":
		return finding.Medium, true
	case "low":
		return finding.Low, true
	case "info", "informational", "negligible":
		return finding.Info, true
	}
	return finding.Info, false
}

// level maps a SARIF level: error is high, warning medium, note low and
// none info, as code scanning shows them.
func level(l string) (finding.Severity, bool) {
	switch l {
	case "error":
		return finding.High, true
	case "warning":
		return finding.Medium, true
	case "note":
		return finding.Low, true
	case "none":
		return finding.Info, true
	}
	return finding.Info, false
}

// severityTags are the tags gosec, Trivy and Grype put on rules to carry
// the severity. Only these exact upper-case words count: Semgrep's "HIGH
// CONFIDENCE" and CodeQL's "security" say nothing about severity.
var severityTags = map[string]finding.Severity{
	"CRITICAL": finding.Critical, "HIGH": finding.High, "MEDIUM": finding.Medium, "LOW": finding.Low,
}

// judge decides a result's severity from what the tool wrote, trying in
// order: the result's security-severity score, a severity property of the
// tool (Bandit's issue_severity, "severity", zizmor's "zizmor/severity" and
// any "<tool>/severity"), the rule's security-severity score, a severity
// tag on the rule or the result, the result's level, the rule's default
// level, and finally def. A result whose confidence property (Bandit's
// issue_confidence, "<tool>/confidence") is LOW is lowered one band, not
// below low. ru may be nil.
func judge(res *result, ru *rule, def finding.Severity) (finding.Severity, string) {
	return judgeWith(res, ruleSeverities(ru), def)
}

// ruleSeverity is what a rule says about severity, worked out once per
// rule rather than once per result.
type ruleSeverity struct {
	score, tag, level       finding.Severity
	hasScore, hasTag, hasLv bool
}

func ruleSeverities(ru *rule) ruleSeverity {
	var rs ruleSeverity
	if ru == nil {
		return rs
	}
	rs.score, rs.hasScore = band(ru.Properties.str("security-severity"))
	rs.tag, rs.hasTag = tagSeverity(ru.Properties)
	if ru.DefaultConfiguration != nil {
		rs.level, rs.hasLv = level(ru.DefaultConfiguration.Level)
	}
	return rs
}

// judgeWith is judge with the rule's part already worked out.
func judgeWith(res *result, rs ruleSeverity, def finding.Severity) (finding.Severity, string) {
	sev, from := judgeRaw(res, rs, def)
	if lowConfidence(res.Properties) && sev > finding.Low {
		sev--
	}
	return sev, from
}

func judgeRaw(res *result, rs ruleSeverity, def finding.Severity) (finding.Severity, string) {
	if s, ok := band(res.Properties.str("security-severity")); ok {
		return s, FromResultScore
	}
	for _, k := range severityKeys(res.Properties) {
		if s, ok := word(res.Properties.str(k)); ok {
			return s, FromToolField
		}
	}
	if rs.hasScore {
		return rs.score, FromRuleScore
	}
	if s, ok := tagSeverity(res.Properties); ok {
		return s, FromTag
	}
	if rs.hasTag {
		return rs.tag, FromTag
	}
	if s, ok := level(res.Level); ok {
		return s, FromLevel
	}
	if rs.hasLv {
		return rs.level, FromRuleLevel
	}
	return def, FromDefault
}

// severityKeys lists a property bag's severity properties in a fixed
// order: issue_severity, severity, then every "<prefix>/severity" sorted.
func severityKeys(p propertyBag) []string {
	if len(p) == 0 {
		return nil
	}
	var keys, ns []string
	for _, k := range []string{"issue_severity", "severity"} {
		if _, ok := p[k]; ok {
			keys = append(keys, k)
		}
	}
	for k := range p {
		if strings.HasSuffix(k, "/severity") {
			ns = append(ns, k)
		}
	}
	slices.Sort(ns)
	return append(keys, ns...)
}

// tagSeverity reads the one severity tag of a property bag; none, or two
// that disagree, say nothing.
func tagSeverity(p propertyBag) (finding.Severity, bool) {
	found, ok := finding.Info, false
	for _, t := range p.tags() {
		s, is := severityTags[t]
		if !is {
			continue
		}
		if ok && s != found {
			return finding.Info, false
		}
		found, ok = s, true
	}
	return found, ok
}

// lowConfidence reports whether the tool says it is not confident of the
// result.
func lowConfidence(p propertyBag) bool {
	if len(p) == 0 {
		return false
	}
	if strings.EqualFold(p.str("issue_confidence"), "low") {
		return true
	}
	for k := range p {
		if strings.HasSuffix(k, "/confidence") && strings.EqualFold(p.str(k), "low") {
			return true
		}
	}
	return false
}
