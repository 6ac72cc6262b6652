package sbomgate

import (
	"encoding/json"
	"fmt"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// cdxBOM is the part of a CycloneDX document the gate reads, in
// cyclonedx-go's own types. Decoding only these sections means a section
// the gate has no use for cannot fail the read: cyclonedx-go's full BOM
// type refuses some valid 1.6 and 1.7 documents in their declarations and
// patent sections, and decoding them costs time on large SBOMs.
type cdxBOM struct {
	BOMFormat   string          `json:"bomFormat"`
	SpecVersion cdx.SpecVersion `json:"specVersion"`
	Metadata    *struct {
		Component *cdxComponent `json:"component"`
	} `json:"metadata"`
	Components      []cdxComponent       `json:"components"`
	Vulnerabilities *[]cdx.Vulnerability `json:"vulnerabilities"`
}

// cdxComponent is the part of a component the gate reads.
type cdxComponent struct {
	BOMRef     string         `json:"bom-ref"`
	Group      string         `json:"group"`
	Name       string         `json:"name"`
	Version    string         `json:"version"`
	PackageURL string         `json:"purl"`
	Licenses   *cdx.Licenses  `json:"licenses"`
	Components []cdxComponent `json:"components"`
}

// parseCycloneDX reads a CycloneDX JSON document: components (nested ones
// included), the described metadata.component, and the vulnerabilities
// section, whose analysis makes it a VEX document too.
func parseCycloneDX(name string, data []byte) (*SBOM, error) {
	var bom cdxBOM
	if err := json.Unmarshal(data, &bom); err != nil {
		return nil, fmt.Errorf("reading CycloneDX JSON: %v", jsonProblem(err))
	}
	if bom.SpecVersion < cdx.SpecVersion1_2 {
		return nil, fmt.Errorf("%w: CycloneDX JSON needs a specVersion of 1.2 or later", ErrUnknownFormat)
	}
	s := &SBOM{Name: name, Format: "CycloneDX " + bom.SpecVersion.String()}
	subject := map[string]bool{}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		mc := bom.Metadata.Component
		s.Subject = mc.Name
		if mc.Version != "" {
			s.Subject += "@" + mc.Version
		}
		if mc.PackageURL != "" {
			if p, err := ParsePURL(mc.PackageURL); err == nil {
				s.SubjectPURLs = append(s.SubjectPURLs, p.String())
			}
		}
		if mc.BOMRef != "" {
			subject[mc.BOMRef] = true
		}
	}
	byRef := map[string]Component{}
	var walk func(cs []cdxComponent)
	walk = func(cs []cdxComponent) {
		for i := range cs {
			c := &cs[i]
			s.Listed++
			comp := newComponent(c.Name, c.Version, c.PackageURL, c.BOMRef, cdxLicenses(c.Licenses))
			if c.Group != "" && !comp.HasPURL {
				comp.Name = c.Group + "/" + c.Name
			}
			s.Components = append(s.Components, comp)
			if c.BOMRef != "" {
				byRef[c.BOMRef] = comp
			}
			walk(c.Components)
		}
	}
	walk(bom.Components)
	s.finish(subject)
	if bom.Vulnerabilities != nil {
		s.Vulnerabilities, s.VEX = cdxVulnerabilities(name, *bom.Vulnerabilities, byRef)
	}
	return s, nil
}

// cdxLicenses lists a component's licences: ids, names and expressions.
func cdxLicenses(ls *cdx.Licenses) []string {
	if ls == nil {
		return nil
	}
	var out []string
	for _, l := range *ls {
		switch {
		case l.Expression != "":
			out = append(out, l.Expression)
		case l.License != nil && l.License.ID != "":
			out = append(out, l.License.ID)
		case l.License != nil && l.License.Name != "":
			if n := cleanLicense(l.License.Name); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}

// cdxVulnerabilities turns a vulnerabilities section into findings (one
// per affected component) and, where an entry has an analysis, into VEX
// statements. An affects ref names a component's bom-ref, or is itself a
// package URL (as several tools write it).
func cdxVulnerabilities(report string, vs []cdx.Vulnerability, byRef map[string]Component) ([]Vulnerability, []Statement) {
	var vulns []Vulnerability
	var stmts []Statement
	for _, v := range vs {
		aliases := []string{}
		if v.References != nil {
			for _, r := range *v.References {
				if r.ID != "" && r.ID != v.ID {
					aliases = append(aliases, r.ID)
				}
			}
		}
		var scores []float64
		first := -1.0
		sev := ""
		if v.Ratings != nil {
			for _, r := range *v.Ratings {
				if sev == "" && r.Severity != "" {
					sev = string(r.Severity)
				}
				if r.Score == nil || !isCVSSMethod(r.Method) {
					continue
				}
				if first < 0 {
					first = *r.Score
				}
				scores = append(scores, *r.Score)
			}
		}
		if v.Analysis != nil && v.Analysis.State != "" && (v.Affects == nil || len(*v.Affects) == 0) {
			// A statement about no product in particular matches nothing.
			stmts = append(stmts, Statement{Vulnerability: v.ID, Aliases: aliases, Status: cdxStatus(v.Analysis.State)})
		}
		if v.Affects == nil {
			continue
		}
		for _, a := range *v.Affects {
			comp, ok := byRef[a.Ref]
			if !ok {
				comp = newComponent("", "", a.Ref, a.Ref, nil)
				if !comp.HasPURL {
					comp.Name = a.Ref
				}
			}
			vu := Vulnerability{ID: v.ID, Aliases: aliases, Report: report, Severity: strings.ToLower(sev)}
			vu.setPackage(comp)
			vu.setScore(first, scores)
			vulns = append(vulns, vu)
			if v.Analysis != nil && v.Analysis.State != "" {
				just := string(v.Analysis.Justification)
				if just == "" && v.Analysis.State == cdx.IASFalsePositive {
					just = "false_positive" // the state is its own justification
				}
				stmts = append(stmts, Statement{
					Vulnerability: v.ID, Aliases: aliases,
					Products:      []string{comp.Display()},
					Status:        cdxStatus(v.Analysis.State),
					Justification: just,
				})
			}
		}
	}
	return vulns, stmts
}

func isCVSSMethod(m cdx.ScoringMethod) bool {
	return strings.HasPrefix(strings.ToUpper(string(m)), "CVSSV")
}

// cdxStatus maps a CycloneDX analysis state to the VEX status it means.
func cdxStatus(s cdx.ImpactAnalysisState) string {
	switch s {
	case cdx.IASNotAffected, cdx.IASFalsePositive:
		return StatusNotAffected
	case cdx.IASResolved, cdx.IASResolvedWithPedigree:
		return StatusFixed
	case cdx.IASExploitable:
		return StatusAffected
	default: // in_triage
		return StatusUnderInvestigation
	}
}
