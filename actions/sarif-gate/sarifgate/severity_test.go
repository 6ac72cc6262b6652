package sarifgate

import (
	"encoding/json"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

func bag(t *testing.T, s string) propertyBag {
	t.Helper()
	if s == "" {
		return nil
	}
	var p propertyBag
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestJudge(t *testing.T) {
	tests := []struct {
		name             string
		resProps, level  string
		ruleProps, ruleL string
		want             finding.Severity
		from             string
	}{
		{"result score wins", `{"security-severity": "9.1"}`, "note", `{"security-severity": "2.0"}`, "", finding.Critical, FromResultScore},
		{"score as a number", `{"security-severity": 7}`, "", "", "", finding.High, FromResultScore},
		{"band edges", `{"security-severity": "6.9"}`, "", "", "", finding.Medium, FromResultScore},
		{"low band", `{"security-severity": "0.1"}`, "", "", "", finding.Low, FromResultScore},
		{"zero is info", `{"security-severity": "0.0"}`, "", "", "", finding.Info, FromResultScore},
		{"out of range falls through", `{"security-severity": "11"}`, "warning", "", "", finding.Medium, FromLevel},
		{"not a number falls through", `{"security-severity": "high"}`, "", `{"security-severity": "4.0"}`, "", finding.Medium, FromRuleScore},
		{"bandit", `{"issue_severity": "HIGH", "issue_confidence": "HIGH"}`, "", "", "error", finding.High, FromToolField},
		{"bandit low confidence", `{"issue_severity": "HIGH", "issue_confidence": "LOW"}`, "", "", "", finding.Medium, FromToolField},
		{"low stays low", `{"issue_severity": "LOW", "issue_confidence": "LOW"}`, "", "", "", finding.Low, FromToolField},
		{"bandit undefined", `{"issue_severity": "UNDEFINED"}`, "note", "", "", finding.Low, FromLevel},
		{"zizmor", `{"zizmor/severity": "Informational"}`, "error", "", "", finding.Info, FromToolField},
		{"grype negligible", `{"severity": "Negligible"}`, "", "", "", finding.Info, FromToolField},
		{"advisory moderate", `{"severity": "moderate"}`, "", "", "", finding.Medium, FromToolField},
		{"unknown word", `{"severity": "unknown"}`, "", "", "", finding.Low, FromDefault},
		{"gosec tag", "", "error", `{"tags": ["security", "MEDIUM"]}`, "", finding.Medium, FromTag},
		{"conflicting tags say nothing", "", "warning", `{"tags": ["HIGH", "LOW"]}`, "", finding.Medium, FromLevel},
		{"semgrep confidence tag is not a severity", "", "", `{"tags": ["HIGH CONFIDENCE", "security"]}`, "error", finding.High, FromRuleLevel},
		{"lower-case tag is not a severity", "", "", `{"tags": ["high"]}`, "", finding.Low, FromDefault},
		{"result tag", `{"tags": ["CRITICAL"]}`, "", "", "", finding.Critical, FromTag},
		{"levels", "", "none", "", "", finding.Info, FromLevel},
		{"rule level", "", "", "", "note", finding.Low, FromRuleLevel},
		{"bad level falls through", "", "severe", "", "warning", finding.Medium, FromRuleLevel},
		{"nothing at all", "", "", "", "", finding.Low, FromDefault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &result{Level: tt.level, Properties: bag(t, tt.resProps)}
			var ru *rule
			if tt.ruleProps != "" || tt.ruleL != "" {
				ru = &rule{ID: "r", Properties: bag(t, tt.ruleProps)}
				if tt.ruleL != "" {
					ru.DefaultConfiguration = &reportingConfiguration{Level: tt.ruleL}
				}
			}
			got, from := judge(res, ru, finding.Low)
			if got != tt.want || from != tt.from {
				t.Errorf("judge = %s (%s), want %s (%s)", got, from, tt.want, tt.from)
			}
		})
	}
}
