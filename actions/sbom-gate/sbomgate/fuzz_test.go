package sbomgate

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParsers feeds the same bytes to every reader of untrusted input:
// none may panic, whatever the bytes; each either reads them or says why
// not.
func FuzzParsers(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("#model_version:v1,score_date:2026-01-01\ncve,epss,percentile\nCVE-2024-1,0.5,0.9\n"))
	f.Add([]byte(`{"catalogVersion":"1","vulnerabilities":[{"cveID":"CVE-2024-1"}]}`))
	f.Add([]byte(`{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:npm/a"}],"status":"fixed"}]}`))
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://openvex.dev/ns/v0.2.0","predicate":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if s, err := ParseSBOM("f", b); err == nil {
			Parity([]PlatformSBOM{{"linux/amd64", s}, {"linux/arm64", s}})
			Diff(s, s)
		}
		if vs, _, err := ParseReport("f", b); err == nil {
			for _, v := range Merge(vs) {
				Score(v, &KEV{}, &EPSS{}, RiskParams{Threshold: 7})
			}
		}
		if stmts, err := ParseVEX("f", b); err == nil {
			NewVEXIndex(stmts).Decide(Vulnerability{ID: "CVE-1"}, []string{"pkg:npm/a"})
		}
		ParseKEV(b)
		ParseEPSS(b)
		s := string(b)
		CVSS3BaseScore(s)
		ParsePURL(s)
		CompareVersions("npm", s, "1.0.0")
		CompareVersions("deb", s, "1:1.0~rc1")
		LicenseAllowed(s, map[string]bool{"mit": true})
	})
}
