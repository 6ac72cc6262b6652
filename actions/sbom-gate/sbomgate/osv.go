package sbomgate

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// osvReport is the part of "osv-scanner --format json" the gate reads.
type osvReport struct {
	Results []struct {
		Packages []struct {
			Package struct {
				Name      string `json:"name"`
				Version   string `json:"version"`
				Ecosystem string `json:"ecosystem"`
				PURL      string `json:"purl"`
			} `json:"package"`
			Vulnerabilities []struct {
				ID       string   `json:"id"`
				Aliases  []string `json:"aliases"`
				Severity []struct {
					Type  string `json:"type"`
					Score string `json:"score"`
				} `json:"severity"`
				DatabaseSpecific struct {
					Severity string `json:"severity"`
				} `json:"database_specific"`
			} `json:"vulnerabilities"`
			Groups []struct {
				IDs         []string `json:"ids"`
				Aliases     []string `json:"aliases"`
				MaxSeverity string   `json:"max_severity"`
			} `json:"groups"`
		} `json:"packages"`
	} `json:"results"`
}

// osvEcosystems maps OSV ecosystem names to package URL types (the OSV
// schema's table).
var osvEcosystems = map[string]struct{ typ, ns string }{
	"go": {"golang", ""}, "npm": {"npm", ""}, "pypi": {"pypi", ""}, "crates.io": {"cargo", ""},
	"maven": {"maven", ""}, "rubygems": {"gem", ""}, "nuget": {"nuget", ""}, "packagist": {"composer", ""},
	"hex": {"hex", ""}, "pub": {"pub", ""}, "debian": {"deb", "debian"}, "ubuntu": {"deb", "ubuntu"},
	"alpine": {"apk", "alpine"}, "wolfi": {"apk", "wolfi"}, "chainguard": {"apk", "chainguard"},
	"rocky linux": {"rpm", "rocky-linux"}, "almalinux": {"rpm", "almalinux"}, "swifturl": {"swift", ""},
}

// osvPURL builds the package URL of an OSV package.
func osvPURL(eco, name, version string) string {
	base, _, _ := strings.Cut(eco, ":") // "Debian:12" -> Debian
	m, ok := osvEcosystems[strings.ToLower(base)]
	if !ok || name == "" {
		return ""
	}
	ns, n := m.ns, name
	switch m.typ {
	case "maven":
		if g, a, ok := strings.Cut(name, ":"); ok {
			ns, n = g, a
		}
	case "golang", "npm", "composer":
		if i := strings.LastIndex(name, "/"); i > 0 {
			ns, n = name[:i], name[i+1:]
		}
	}
	s := "pkg:" + m.typ + "/"
	if ns != "" {
		s += ns + "/"
	}
	s += n
	if version != "" {
		s += "@" + version
	}
	return s
}

// parseOSV reads osv-scanner's JSON. The report's score is the
// max_severity of the group holding the vulnerability; otherwise scores are
// computed from the CVSS v3 vectors given.
func parseOSV(name string, data []byte) ([]Vulnerability, error) {
	var r osvReport
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("reading osv-scanner JSON: %v", jsonProblem(err))
	}
	var out []Vulnerability
	for _, res := range r.Results {
		for _, p := range res.Packages {
			purl := p.Package.PURL
			if purl == "" {
				purl = osvPURL(p.Package.Ecosystem, p.Package.Name, p.Package.Version)
			}
			comp := newComponent(p.Package.Name, p.Package.Version, purl, "", nil)
			for _, ov := range p.Vulnerabilities {
				if ov.ID == "" {
					continue
				}
				v := Vulnerability{ID: ov.ID, Report: name, Severity: strings.ToLower(ov.DatabaseSpecific.Severity)}
				v.setPackage(comp)
				for _, a := range ov.Aliases {
					if a != "" && a != ov.ID {
						v.Aliases = append(v.Aliases, a)
					}
				}
				report := -1.0
				for _, g := range p.Groups {
					if slices.Contains(g.IDs, ov.ID) || slices.Contains(g.Aliases, ov.ID) {
						if s, err := strconv.ParseFloat(g.MaxSeverity, 64); err == nil && s >= 0 && s <= 10 {
							report = s
						}
					}
				}
				var all []float64
				for _, s := range ov.Severity {
					if strings.HasPrefix(s.Type, "CVSS_V3") {
						if score, err := CVSS3BaseScore(s.Score); err == nil {
							all = append(all, score)
						}
					}
				}
				v.setScore(report, all)
				out = append(out, v)
			}
		}
	}
	return out, nil
}
