package sbomgate

import (
	"encoding/json"
	"fmt"
	"strings"
)

// grypeReport is the part of "grype -o json" the gate reads.
type grypeReport struct {
	Matches []struct {
		Vulnerability grypeVuln   `json:"vulnerability"`
		Related       []grypeVuln `json:"relatedVulnerabilities"`
		Artifact      struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			PURL    string `json:"purl"`
		} `json:"artifact"`
	} `json:"matches"`
}

type grypeVuln struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	CVSS     []struct {
		Version string `json:"version"`
		Type    string `json:"type"`
		Metrics struct {
			BaseScore *float64 `json:"baseScore"`
		} `json:"metrics"`
	} `json:"cvss"`
}

// parseGrype reads grype's JSON: the vulnerability's "Primary" CVSS entry
// is the report's score; related vulnerabilities (the CVE behind a GHSA)
// give aliases and more scores.
func parseGrype(name string, data []byte) ([]Vulnerability, error) {
	var r grypeReport
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reading grype JSON: %v", jsonProblem(err))
	}
	out := make([]Vulnerability, 0, len(r.Matches))
	for _, m := range r.Matches {
		if m.Vulnerability.ID == "" {
			continue
		}
		v := Vulnerability{ID: m.Vulnerability.ID, Report: name, Severity: strings.ToLower(m.Vulnerability.Severity)}
		v.setPackage(newComponent(m.Artifact.Name, m.Artifact.Version, m.Artifact.PURL, "", nil))
		report := -1.0
		var all []float64
		for _, c := range m.Vulnerability.CVSS {
			if c.Metrics.BaseScore == nil {
				continue
			}
			if strings.EqualFold(c.Type, "Primary") && report < 0 {
				report = *c.Metrics.BaseScore
			}
			all = append(all, *c.Metrics.BaseScore)
		}
		for _, rel := range m.Related {
			if rel.ID != "" && !strings.EqualFold(rel.ID, v.ID) {
				v.Aliases = append(v.Aliases, rel.ID)
			}
			for _, c := range rel.CVSS {
				if c.Metrics.BaseScore != nil {
					all = append(all, *c.Metrics.BaseScore)
				}
			}
		}
		v.setScore(report, all)
		out = append(out, v)
	}
	return out, nil
}
