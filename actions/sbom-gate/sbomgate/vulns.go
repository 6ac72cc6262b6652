package sbomgate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Vulnerability is one finding of a scanner: a vulnerability in one
// package, keyed by its ids (the id and its aliases) and the package URL.
type Vulnerability struct {
	// ID is the scanner's id (CVE-..., GHSA-..., GO-...), Aliases the
	// other ids it gives for the same vulnerability.
	ID      string
	Aliases []string
	// Package is the affected component.
	Package Component
	// CVSS is the base score the risk starts from, CVSSFrom says where it
	// came from ("report" or "highest given"), HasCVSS whether there was
	// one at all; Severity is the scanner's word ("high") for when not.
	CVSS     float64
	CVSSFrom string
	HasCVSS  bool
	Severity string
	// Report is the file the finding came from.
	Report string
}

// IDs returns the id and its aliases.
func (v Vulnerability) IDs() []string { return append([]string{v.ID}, v.Aliases...) }

// CVE returns the CVE id among the ids, "" when none is: KEV and EPSS are
// keyed by CVE.
func (v Vulnerability) CVE() string {
	for _, id := range v.IDs() {
		if strings.HasPrefix(strings.ToUpper(id), "CVE-") {
			return strings.ToUpper(id)
		}
	}
	return ""
}

// Name is the id a message shows: the CVE when there is one.
func (v Vulnerability) Name() string {
	if c := v.CVE(); c != "" {
		return c
	}
	return v.ID
}

func (v *Vulnerability) setPackage(c Component) { v.Package = c }

// setScore keeps the report's own score when it designates one (report >=
// 0), else the highest score given.
func (v *Vulnerability) setScore(report float64, all []float64) {
	switch {
	case report >= 0:
		v.CVSS, v.CVSSFrom, v.HasCVSS = report, "report", true
	case len(all) > 0:
		v.CVSS, v.CVSSFrom, v.HasCVSS = slices.Max(all), "highest given", true
	}
}

// ErrUnknownReport is wrapped when a file is not a vulnerability report
// this gate reads.
var ErrUnknownReport = errors.New("unknown vulnerability report format")

// reportSniff tells the report formats apart.
type reportSniff struct {
	Matches       json.RawMessage `json:"matches"`       // grype
	Results       json.RawMessage `json:"Results"`       // trivy
	SchemaVersion json.RawMessage `json:"SchemaVersion"` // trivy
	OSVResults    json.RawMessage `json:"results"`       // osv-scanner
	BOMFormat     string          `json:"bomFormat"`     // CycloneDX
}

// ParseReport reads a vulnerability report: grype JSON, trivy JSON,
// osv-scanner JSON, or a CycloneDX document with a vulnerabilities section.
// It returns the findings in file order and the tool's name.
func ParseReport(name string, data []byte) ([]Vulnerability, string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var s reportSniff
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, "", fmt.Errorf("%w: not a JSON object: %v", ErrUnknownReport, jsonProblem(err))
	}
	switch {
	case len(s.Matches) > 0:
		vs, err := parseGrype(name, data)
		return vs, "grype", err
	case len(s.SchemaVersion) > 0:
		vs, err := parseTrivy(name, data)
		return vs, "trivy", err
	case len(s.OSVResults) > 0:
		vs, err := parseOSV(name, data)
		return vs, "osv-scanner", err
	case strings.EqualFold(s.BOMFormat, "CycloneDX"):
		sb, err := parseCycloneDX(name, data)
		if err != nil {
			return nil, "", err
		}
		return sb.Vulnerabilities, "CycloneDX", nil
	}
	return nil, "", fmt.Errorf("%w: want grype JSON (matches), trivy JSON (SchemaVersion, Results), osv-scanner JSON (results) or CycloneDX with vulnerabilities", ErrUnknownReport)
}

// severityScore stands in for a missing CVSS score: the bottom of the
// severity's CVSS band, so the risk is never overstated.
func severityScore(sev string) (float64, bool) {
	switch strings.ToLower(strings.TrimSpace(sev)) {
	case "critical":
		return 9.0, true
	case "high", "important":
		return 7.0, true
	case "medium", "moderate":
		return 4.0, true
	case "low":
		return 0.1, true
	}
	return 0, false
}

// Merge joins findings that are the same vulnerability in the same
// package, as several reports of one image give them: same package URL
// (versioned, platform aside) and at least one id in common. The merged
// finding keeps every id and the highest base score.
func Merge(vs []Vulnerability) []Vulnerability {
	var out []Vulnerability
	index := map[string]int{}
	for _, v := range vs {
		pkg := v.Package.ParityKey()
		at := -1
		for _, id := range v.IDs() {
			if i, ok := index[pkg+"\x00"+strings.ToUpper(id)]; ok {
				at = i
				break
			}
		}
		if at < 0 {
			at = len(out)
			out = append(out, v)
		} else {
			m := &out[at]
			for _, id := range v.IDs() {
				if !slices.ContainsFunc(m.IDs(), func(x string) bool { return strings.EqualFold(x, id) }) {
					m.Aliases = append(m.Aliases, id)
				}
			}
			if v.HasCVSS && (!m.HasCVSS || v.CVSS > m.CVSS) {
				m.CVSS, m.CVSSFrom, m.HasCVSS = v.CVSS, v.CVSSFrom, true
			}
			if m.Severity == "" {
				m.Severity = v.Severity
			}
			if !strings.Contains(m.Report, v.Report) {
				m.Report += ", " + v.Report
			}
		}
		for _, id := range out[at].IDs() {
			index[pkg+"\x00"+strings.ToUpper(id)] = at
		}
	}
	return out
}
