// Command gen writes sbom-gate's benchmark workload: a base and a head
// SBOM (CycloneDX and SPDX) of the same release line, a grype report of
// the head, a KEV catalogue and an EPSS scores CSV of the real feeds'
// sizes. It is deterministic, so every run measures the same files.
//
//	go run ./actions/sbom-gate/bench/gen DIR COMPONENTS FINDINGS
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

type component struct {
	name, version, license string
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: gen DIR COMPONENTS FINDINGS")
		os.Exit(2)
	}
	dir := os.Args[1]
	n, err1 := strconv.Atoi(os.Args[2])
	findings, err2 := strconv.Atoi(os.Args[3])
	if err1 != nil || err2 != nil || n < 100 || findings > n {
		fmt.Fprintln(os.Stderr, "gen: COMPONENTS (100 or more) and FINDINGS (at most COMPONENTS) are numbers")
		os.Exit(2)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
	}
	var base, head []component
	for i := range n {
		c := component{fmt.Sprintf("pkg-%05d", i), fmt.Sprintf("1.%d.%d", i%17, i%5), "MIT"}
		base = append(base, c)
		switch {
		case i%100 == 1: // removed
			continue
		case i%50 == 2: // upgraded
			c.version = fmt.Sprintf("1.%d.%d", i%17+1, i%5)
		case i%200 == 3: // downgraded
			c.version = fmt.Sprintf("0.%d.0", i%17)
		case i%100 == 4: // relicensed
			c.license = "Apache-2.0"
		}
		head = append(head, c)
	}
	for i := range n / 100 { // added
		head = append(head, component{fmt.Sprintf("new-%05d", i), "2.0.0", "BSD-3-Clause"})
	}
	write(filepath.Join(dir, "base.cdx.json"), cycloneDX(base))
	write(filepath.Join(dir, "head.cdx.json"), cycloneDX(head))
	write(filepath.Join(dir, "base.spdx.json"), spdx(base))
	write(filepath.Join(dir, "head.spdx.json"), spdx(head))

	var matches []any
	for i := range findings {
		c := head[i*len(head)/findings]
		score := float64(30+(i*37)%70) / 10 // 3.0 to 9.9
		matches = append(matches, map[string]any{
			"vulnerability": map[string]any{"id": cve(i), "severity": "High", "cvss": []any{
				map[string]any{"source": "nvd@nist.gov", "type": "Primary", "version": "3.1", "metrics": map[string]any{"baseScore": score}}}},
			"relatedVulnerabilities": []any{},
			"artifact":               map[string]any{"name": c.name, "version": c.version, "type": "npm", "purl": purl(c)},
		})
	}
	write(filepath.Join(dir, "grype.json"), map[string]any{"matches": matches, "descriptor": map[string]any{"name": "grype", "version": "0.79.0"}})

	// The real catalogue has about 1,400 entries; a tenth of the findings
	// are among them.
	var kev []any
	for i := range 1400 {
		id := fmt.Sprintf("CVE-2019-%05d", i)
		if i*10 < findings {
			id = cve(i * 10)
		}
		kev = append(kev, map[string]any{"cveID": id, "vendorProject": "v", "product": "p", "vulnerabilityName": "n", "dateAdded": "2024-01-01"})
	}
	write(filepath.Join(dir, "kev.json"), map[string]any{"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.12.01",
		"dateReleased": "2026-12-01T00:00:00.000Z", "count": len(kev), "vulnerabilities": kev})

	// The real EPSS file scores about 270,000 CVEs.
	f, err := os.Create(filepath.Join(dir, "epss.csv"))
	if err != nil {
		fail(err)
	}
	fmt.Fprintln(f, "#model_version:v2025.03.14,score_date:2026-12-01T00:00:00Z")
	fmt.Fprintln(f, "cve,epss,percentile")
	for i := range 270000 {
		id := fmt.Sprintf("CVE-2018-%06d", i)
		if i < findings {
			id = cve(i)
		}
		fmt.Fprintf(f, "%s,%.5f,%.5f\n", id, float64(i%1000)/1000, float64(i%997)/997)
	}
	if err := f.Close(); err != nil {
		fail(err)
	}
}

func cve(i int) string { return fmt.Sprintf("CVE-2020-%05d", i) }

func purl(c component) string { return "pkg:npm/" + c.name + "@" + c.version }

func cycloneDX(cs []component) any {
	var comps []any
	for _, c := range cs {
		comps = append(comps, map[string]any{"bom-ref": purl(c), "type": "library", "name": c.name, "version": c.version,
			"licenses": []any{map[string]any{"license": map[string]any{"id": c.license}}}, "purl": purl(c)})
	}
	return map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
		"metadata":   map[string]any{"component": map[string]any{"bom-ref": "app", "type": "application", "name": "app", "version": "1.0.0"}},
		"components": comps}
}

func spdx(cs []component) any {
	pkgs := []any{map[string]any{"SPDXID": "SPDXRef-app", "name": "app", "versionInfo": "1.0.0", "downloadLocation": "NOASSERTION"}}
	rels := []any{map[string]any{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-app"}}
	for i, c := range cs {
		id := fmt.Sprintf("SPDXRef-p%d", i)
		pkgs = append(pkgs, map[string]any{"SPDXID": id, "name": c.name, "versionInfo": c.version, "downloadLocation": "NOASSERTION",
			"licenseConcluded": c.license, "externalRefs": []any{map[string]any{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": purl(c)}}})
		rels = append(rels, map[string]any{"spdxElementId": "SPDXRef-app", "relationshipType": "CONTAINS", "relatedSpdxElement": id})
	}
	return map[string]any{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT", "name": "app",
		"documentNamespace": "https://example.com/app", "creationInfo": map[string]any{"created": "2026-12-01T00:00:00Z", "creators": []string{"Tool: gen"}},
		"packages": pkgs, "relationships": rels}
}

func write(path string, v any) {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}
