package finding

import (
	"fmt"
	"strings"
)

// Severity ranks how bad a finding is. The zero value is Info. The order is
// meaningful: a higher Severity is worse, so thresholds compare with >=.
type Severity int

// The severities, in increasing order. They follow the bands GitHub code
// scanning uses for the security-severity property.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"info", "low", "medium", "high", "critical"}

// Severities lists every severity from the least to the most severe.
func Severities() []Severity { return []Severity{Info, Low, Medium, High, Critical} }

// String returns the lower-case name of s ("high").
func (s Severity) String() string {
	if s < Info || s > Critical {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name, case-insensitively, with surrounding
// space ignored ("High", " critical").
func ParseSeverity(name string) (Severity, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for i, s := range severityNames {
		if s == n {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want one of %s)", name, strings.Join(severityNames[:], ", "))
}

// SecurityScore is the CVSS-like 0-10 value GitHub code scanning reads from a
// rule's "security-severity" property: it places the severity inside
// GitHub's band (critical >= 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9).
// Info maps to 0, which code scanning shows as a note.
func (s Severity) SecurityScore() string {
	switch s {
	case Critical:
		return "9.5"
	case High:
		return "8.0"
	case Medium:
		return "5.5"
	case Low:
		return "2.0"
	default:
		return "0.0"
	}
}

// SARIFLevel is the SARIF result level that matches s: error for high and
// critical, warning for medium, note below.
func (s Severity) SARIFLevel() string {
	switch {
	case s >= High:
		return "error"
	case s == Medium:
		return "warning"
	default:
		return "note"
	}
}

// MarshalText writes the severity's name, so JSON carries "high", not 3.
func (s Severity) MarshalText() ([]byte, error) {
	if s < Info || s > Critical {
		return nil, fmt.Errorf("marshaling severity: invalid value %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText reads a severity name written by MarshalText.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
