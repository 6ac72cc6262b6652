package sbomgate

import (
	"bytes"
	"fmt"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// parseCycloneDX reads a CycloneDX JSON document with cyclonedx-go:
// components (nested ones included), the described metadata.component, and
// the vulnerabilities section, whose analysis makes it a VEX document too.
func parseCycloneDX(name string, data []byte) (*SBOM, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return nil, fmt.Errorf("reading CycloneDX JSON: %v", jsonProblem(err))
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
	var walk func(cs *[]cdx.Component)
	walk = func(cs *[]cdx.Component) {
		if cs == nil {
			return
		}
		for i := range *cs {
			c := &(*cs)[i]
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
