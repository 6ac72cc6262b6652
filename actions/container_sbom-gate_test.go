package actions

import (
	"strings"
	"testing"
)

// sbomGateRepo is a release's per-platform SBOMs and a scan, as sbom-gate
// meets them: syft's CycloneDX for amd64, apko's SPDX for arm64, a grype
// report, and the day's KEV and EPSS files.
func sbomGateRepo(arm64Name string) map[string]string {
	cdx := func(arch string, pkgs ...string) string {
		var cs []string
		for _, p := range pkgs {
			name, version, _ := strings.Cut(p, "@")
			cs = append(cs, `{"type": "library", "name": "`+name+`", "version": "`+version+`", "purl": "pkg:apk/wolfi/`+name+`@`+version+`?arch=`+arch+`"}`)
		}
		return `{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "metadata": {"component": {"type": "container", "name": "ghcr.io/acme/app"}}, "components": [` +
			strings.Join(cs, ", ") + `]}`
	}
	return map[string]string{
		"sboms/app-amd64.cdx.json": cdx("x86_64", "busybox@1.36.1-r7", "openssl@3.3.2-r0", "zlib@1.3.1-r0"),
		arm64Name:                  cdx("aarch64", "busybox@1.36.1-r7", "openssl@3.3.2-r0"),
		"scan/grype.json": `{"matches": [
  {"vulnerability": {"id": "CVE-2023-45853", "severity": "Critical", "cvss": [{"type": "Primary", "version": "3.1", "metrics": {"baseScore": 9.8}}]},
   "relatedVulnerabilities": [], "artifact": {"name": "zlib", "version": "1.3.1-r0", "purl": "pkg:apk/wolfi/zlib@1.3.1-r0?arch=x86_64"}},
  {"vulnerability": {"id": "CVE-2024-0727", "severity": "Medium", "cvss": [{"type": "Primary", "version": "3.1", "metrics": {"baseScore": 5.5}}]},
   "relatedVulnerabilities": [], "artifact": {"name": "openssl", "version": "3.3.2-r0", "purl": "pkg:apk/wolfi/openssl@3.3.2-r0?arch=x86_64"}}
 ], "descriptor": {"name": "grype", "version": "0.79.0"}}`,
		"feeds/kev.json":  `{"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2026.11.30", "dateReleased": "2026-11-30T17:00:00.000Z", "count": 1, "vulnerabilities": [{"cveID": "CVE-2024-0727", "dateAdded": "2026-11-01"}]}`,
		"feeds/epss.csv":  "#model_version:v2025.03.14,score_date:2026-12-01T00:00:00Z\ncve,epss,percentile\nCVE-2023-45853,0.01,0.5\nCVE-2024-0727,0.002,0.3\n",
		".github/hub.yml": "version: 1\nsbom-gate:\n",
	}
}

// sbom-gate's image run as the runner runs it, every input at its
// action.yml default but those a step would set: parity passes on two
// platforms that list the same packages and denies when one lacks zlib;
// risk denies with both vulnerabilities' scores at 7 or more (zlib 9.8,
// openssl 5.5 raised by KEV to 8.5); with the default feed URLs and no
// network it is undecided, never a pass. A file name that is a workflow
// command stays text.
func TestSBOMGateContainer(t *testing.T) {
	requireDocker(t)
	for _, tc := range []struct {
		name    string
		arm64   string
		inputs  map[string]string
		exit    int
		outputs map[string]string
	}{
		{"parity-denied", "sboms/app-arm64.cdx.json",
			map[string]string{"operation": "parity", "sboms": "sboms/app-amd64.cdx.json\nsboms/app-arm64.cdx.json", "evidence-dir": "evidence"}, 1,
			map[string]string{"verdict": "denied", "platforms": "2", "differences": "1", "components": "linux/amd64=3\nlinux/arm64=2"}},
		{"parity-passed", "sboms/app-arm64.cdx.json",
			map[string]string{"operation": "parity", "sboms": "linux/amd64=sboms/app-amd64.cdx.json\nlinux/arm64=sboms/app-amd64.cdx.json", "evidence-dir": "evidence"}, 0,
			map[string]string{"verdict": "passed", "platforms": "2", "differences": "0"}},
		{"risk-denied", "sboms/app-arm64.cdx.json",
			map[string]string{"operation": "risk", "sbom": "sboms/app-amd64.cdx.json", "vulnerabilities": "scan/grype.json", "kev": "feeds/kev.json", "epss": "feeds/epss.csv", "evidence-dir": "evidence"}, 1,
			map[string]string{"verdict": "denied", "vulnerabilities": "2", "blocking": "2", "max-risk": "9.8", "kev-date": "2026-11-30", "epss-date": "2026-12-01"}},
		{"risk-offline", "sboms/app-arm64.cdx.json",
			map[string]string{"operation": "risk", "sbom": "sboms/app-amd64.cdx.json", "vulnerabilities": "scan/grype.json", "timeout": "20s"}, 3,
			map[string]string{"verdict": "undecided"}},
		{"hostile-name", "sboms/##[error]PWNED-arm64.cdx.json",
			map[string]string{"operation": "parity", "sboms": "sboms/app-amd64.cdx.json\nsboms/##[error]PWNED-arm64.cdx.json"}, 1,
			map[string]string{"verdict": "denied"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			writeTree(t, ws, sbomGateRepo(tc.arm64))
			r := runGateImage(t, "sbom-gate", ws, tc.inputs, nil, "")
			r.wantExit(t, tc.exit)
			r.wantOutputs(t, tc.outputs)
			head := map[int]string{0: "## ✅ sbom-gate: passed", 1: "## ❌ sbom-gate: denied", 3: "## ❓ sbom-gate: could not decide"}[tc.exit]
			r.wantSummaryHead(t, head)
			switch tc.name {
			case "parity-denied":
				if !strings.Contains(r.Stdout, "pkg:apk/wolfi/zlib is missing on linux/arm64 (present on linux/amd64 1.3.1-r0) [parity-missing]") {
					t.Errorf("log:\n%s", r.Stdout)
				}
			case "risk-denied":
				if !strings.Contains(r.Stdout, "CVE-2024-0727 in pkg:apk/wolfi/openssl@3.3.2-r0?arch=x86_64: risk 8.5 >= 7 (CVSS 5.5 (report) + KEV 3 (added 2026-11-01)") {
					t.Errorf("log:\n%s", r.Stdout)
				}
			case "risk-offline":
				if !strings.Contains(r.Stdout+r.Stderr, "feed not fetched: kev from https://www.cisa.gov/") {
					t.Errorf("log:\n%s\n%s", r.Stdout, r.Stderr)
				}
			case "hostile-name":
				if !strings.Contains(r.Stdout, "\nsboms/##\\[error]PWNED-arm64.cdx.json: pkg:apk/wolfi/zlib is missing") {
					t.Errorf("the hostile file name is not printed escaped:\n%s", r.Stdout)
				}
			}
		})
	}
}
