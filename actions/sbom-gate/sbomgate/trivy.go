package sbomgate

import (
	"encoding/json"
	"fmt"
	"strings"
)

// trivyReport is the part of "trivy --format json" the gate reads.
type trivyReport struct {
	Results []struct {
		Target          string `json:"Target"`
		Vulnerabilities []struct {
			VulnerabilityID  string   `json:"VulnerabilityID"`
			VendorIDs        []string `json:"VendorIDs"`
			PkgName          string   `json:"PkgName"`
			InstalledVersion string   `json:"InstalledVersion"`
			PkgIdentifier    struct {
				PURL string `json:"PURL"`
			} `json:"PkgIdentifier"`
			Severity       string                   `json:"Severity"`
			SeveritySource string                   `json:"SeveritySource"`
			CVSS           map[string]trivyCVSSData `json:"CVSS"`
		} `json:"Vulnerabilities"`
	} `json:"Results"`
}

type trivyCVSSData struct {
	V2Score  *float64 `json:"V2Score"`
	V3Score  *float64 `json:"V3Score"`
	V40Score *float64 `json:"V40Score"`
}

// best is the newest CVSS version's score a source gives.
func (d trivyCVSSData) best() (float64, bool) {
	for _, s := range []*float64{d.V40Score, d.V3Score, d.V2Score} {
		if s != nil && *s > 0 {
			return *s, true
		}
	}
	return 0, false
}

// parseTrivy reads trivy's JSON: the score of the source trivy took the
// severity from (SeveritySource) is the report's; the others are given.
func parseTrivy(name string, data []byte) ([]Vulnerability, error) {
	var r trivyReport
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reading trivy JSON: %v", jsonProblem(err))
	}
	var out []Vulnerability
	for _, res := range r.Results {
		for _, tv := range res.Vulnerabilities {
			if tv.VulnerabilityID == "" {
				continue
			}
			v := Vulnerability{ID: tv.VulnerabilityID, Report: name, Severity: strings.ToLower(tv.Severity)}
			for _, id := range tv.VendorIDs {
				if id != "" && id != v.ID {
					v.Aliases = append(v.Aliases, id)
				}
			}
			v.setPackage(newComponent(tv.PkgName, tv.InstalledVersion, tv.PkgIdentifier.PURL, "", nil))
			report := -1.0
			if d, ok := tv.CVSS[tv.SeveritySource]; ok {
				if s, ok := d.best(); ok {
					report = s
				}
			}
			var all []float64
			for _, d := range tv.CVSS {
				if s, ok := d.best(); ok {
					all = append(all, s)
				}
			}
			v.setScore(report, all)
			out = append(out, v)
		}
	}
	return out, nil
}
