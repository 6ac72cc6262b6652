package sbomgate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"
)

// parseSPDX reads an SPDX 2.2 or 2.3 JSON document with spdx/tools-golang
// (which converts 2.2 to 2.3). A package's package URL is its
// PACKAGE-MANAGER purl external reference; its licence the concluded one,
// else the declared one.
func parseSPDX(name, version string, data []byte) (*SBOM, error) {
	doc := &v2_3.Document{}
	var err error
	if version == v2_3.Version {
		// The current version decodes straight into tools-golang's own
		// type: its generic reader decodes the whole document once more
		// to find the version we already know, then copies it by
		// reflection, which doubles the time on large SBOMs.
		err = json.Unmarshal(data, doc)
	} else {
		doc, err = spdxjson.Read(bytes.NewReader(data))
	}
	if err != nil {
		return nil, fmt.Errorf("reading SPDX JSON: %v", jsonProblem(err))
	}
	s := &SBOM{Name: name, Format: doc.SPDXVersion, Listed: len(doc.Packages)}
	described := map[string]bool{}
	for _, r := range doc.Relationships {
		if r == nil {
			continue
		}
		switch strings.ToUpper(r.Relationship) {
		case "DESCRIBES":
			if string(r.RefA.ElementRefID) == "DOCUMENT" {
				described[string(r.RefB.ElementRefID)] = true
			}
		case "DESCRIBED_BY":
			if string(r.RefB.ElementRefID) == "DOCUMENT" {
				described[string(r.RefA.ElementRefID)] = true
			}
		}
	}
	var subjects []string
	for _, p := range doc.Packages {
		if p == nil {
			continue
		}
		purl := ""
		for _, ref := range p.PackageExternalReferences {
			if ref != nil && strings.EqualFold(ref.RefType, "purl") && purl == "" {
				purl = ref.Locator
			}
		}
		var lic []string
		if l := cleanLicense(p.PackageLicenseConcluded); l != "" {
			lic = []string{l}
		} else if l := cleanLicense(p.PackageLicenseDeclared); l != "" {
			lic = []string{l}
		}
		ref := string(p.PackageSPDXIdentifier)
		if described[ref] {
			subjects = append(subjects, p.PackageName)
		}
		s.Components = append(s.Components, newComponent(p.PackageName, p.PackageVersion, purl, ref, lic))
	}
	s.Subject = strings.Join(subjects, ", ")
	if s.Subject == "" {
		s.Subject = doc.DocumentName
	}
	s.finish(described)
	return s, nil
}
