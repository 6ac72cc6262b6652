package sbomgate

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The four report formats give the same shape of finding: ids with
// aliases, the package's URL, the score the report designates (else the
// highest it gives) and where it came from.
func TestParseReports(t *testing.T) {
	type want struct {
		name, pkg, from string
		cvss            float64
	}
	for _, tc := range []struct {
		file, tool string
		want       []want
	}{
		{"grype.json", "grype", []want{
			{"CVE-2021-23337", "pkg:npm/lodash@4.17.20", "highest given", 7.2},
			{"CVE-2023-45853", "pkg:apk/alpine/zlib@1.2.13-r0", "report", 9.8}}},
		{"trivy.json", "trivy", []want{
			{"CVE-2023-45853", "pkg:apk/alpine/zlib@1.2.13-r0", "report", 9.8},
			{"CVE-2020-8203", "pkg:npm/lodash@4.17.20", "report", 7.4}}},
		{"osv.json", "osv-scanner", []want{
			{"CVE-2023-45288", "pkg:golang/golang.org/x/net@0.17.0", "report", 7.5},
			{"CVE-2021-44228", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "highest given", 10}}},
		{"cdx-vulns.json", "CycloneDX", []want{
			{"CVE-2021-23337", "pkg:npm/lodash@4.17.20", "report", 7.2}}},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		vs, tool, err := ParseReport(tc.file, data)
		if err != nil || tool != tc.tool || len(vs) != len(tc.want) {
			t.Fatalf("%s: %d findings by %q, %v", tc.file, len(vs), tool, err)
		}
		for i, w := range tc.want {
			v := vs[i]
			if v.Name() != w.name || v.Package.ParityKey() != w.pkg || v.CVSSFrom != w.from || v.CVSS != w.cvss {
				t.Errorf("%s #%d: %s %s %s %v", tc.file, i, v.Name(), v.Package.ParityKey(), v.CVSSFrom, v.CVSS)
			}
		}
	}
}

// grype and trivy report the same lodash and zlib findings under other
// ids; merged, each (vulnerability, package) is one finding with every id.
func TestMergeAcrossReports(t *testing.T) {
	var all []Vulnerability
	for _, f := range []string{"grype.json", "trivy.json"} {
		data, _ := os.ReadFile(filepath.Join("testdata", f))
		vs, _, err := ParseReport(f, data)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, vs...)
	}
	m := Merge(all)
	if len(m) != 3 {
		t.Fatalf("%d merged findings: %+v", len(m), m)
	}
	if m[1].Name() != "CVE-2023-45853" || m[1].Report != "grype.json, trivy.json" {
		t.Errorf("zlib: %+v", m[1])
	}
	if !slices.Contains(m[0].IDs(), "GHSA-35jh-r3h4-6jhm") || slices.Contains(m[0].IDs(), "CVE-2020-8203") {
		t.Errorf("lodash GHSA-35jh: %v", m[0].IDs())
	}
}
