package sbomgate

import (
	"strings"
	"testing"
)

func TestParsePURL(t *testing.T) {
	for _, tc := range []struct{ in, pkg, withVersion, full string }{
		{"pkg:apk/wolfi/busybox@1.36.1-r7?arch=x86_64&distro=wolfi", "pkg:apk/wolfi/busybox", "pkg:apk/wolfi/busybox@1.36.1-r7", "pkg:apk/wolfi/busybox@1.36.1-r7?arch=x86_64&distro=wolfi"},
		{"pkg:PyPI/Django_Rest@3.0", "pkg:pypi/django-rest", "pkg:pypi/django-rest@3.0", "pkg:pypi/django-rest@3.0"},
		{"pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&epoch=1", "pkg:rpm/fedora/curl", "pkg:rpm/fedora/curl@1:7.50.3-1.fc25", "pkg:rpm/fedora/curl@1:7.50.3-1.fc25?arch=i386"},
		{"pkg:maven/org.apache/commons@1.0?classifier=sources&repository_url=https://x", "pkg:maven/org.apache/commons?classifier=sources", "pkg:maven/org.apache/commons@1.0?classifier=sources", "pkg:maven/org.apache/commons@1.0?classifier=sources"},
		{"pkg:golang/golang.org/x/net@v0.30.0#html", "pkg:golang/golang.org/x/net#html", "pkg:golang/golang.org/x/net@v0.30.0#html", "pkg:golang/golang.org/x/net@v0.30.0#html"},
	} {
		p, err := ParsePURL(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if p.Package() != tc.pkg || p.WithVersion() != tc.withVersion || p.String() != tc.full {
			t.Errorf("%s: %q %q %q", tc.in, p.Package(), p.WithVersion(), p.String())
		}
	}
	if _, err := ParsePURL("not a purl"); err == nil {
		t.Error("a non-purl parsed")
	}
}

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		typ, a, b string
		want      int
	}{
		{"npm", "4.17.20", "4.17.21", -1},
		{"npm", "1.0.0-rc.1", "1.0.0", -1},
		{"golang", "v0.0.0-20200707034311-ab3426394381", "v0.0.0-20210405180319-a5a99cb37ef4", -1},
		{"golang", "v1.10.0", "v1.9.9", 1},
		{"deb", "1:1.0", "2.0", 1},
		{"deb", "1.0~beta1", "1.0", -1},
		{"apk", "1.36.1-r7", "1.36.1-r10", -1},
		{"apk", "2.5.1-r2", "2.5.1-r2", 0},
		{"maven", "2.0", "2.0.1", -1},
		{"maven", "2.0-rc1", "2.0", -1},
		{"rpm", "1.0.a", "1.0.1", -1},
		{"pypi", "2.0.post1", "2.0", 1},
	} {
		if got := CompareVersions(tc.typ, tc.a, tc.b); got != tc.want {
			t.Errorf("%s %s vs %s: %d, want %d", tc.typ, tc.a, tc.b, got, tc.want)
		}
		if got := CompareVersions(tc.typ, tc.b, tc.a); got != -tc.want {
			t.Errorf("%s %s vs %s (swapped): %d, want %d", tc.typ, tc.b, tc.a, got, -tc.want)
		}
	}
}

func TestCVSS3BaseScore(t *testing.T) {
	for _, tc := range []struct {
		vector string
		want   float64
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N", 7.5},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
		{"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
		{"CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10},
	} {
		got, err := CVSS3BaseScore(tc.vector)
		if err != nil || got != tc.want {
			t.Errorf("%s: %v %v, want %v", tc.vector, got, err, tc.want)
		}
	}
	for _, bad := range []string{"AV:N/AC:L", "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:2.0/AV:N"} {
		if _, err := CVSS3BaseScore(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestScore(t *testing.T) {
	kev := &KEV{Added: map[string]string{"CVE-2024-0001": "2024-05-01"}}
	epss := &EPSS{Scores: map[string]EPSSScore{"CVE-2024-0001": {0.02, 0.5}, "CVE-2024-0002": {0.31, 0.98}, "CVE-2024-0003": {0.05, 0.96}}}
	p := RiskParams{Threshold: 7, KEVBonus: 3, EPSSBonus: 1.5, EPSSProbability: 0.1, EPSSPercentile: 0.95}
	for _, tc := range []struct {
		name string
		v    Vulnerability
		want float64
	}{
		{"kev", Vulnerability{ID: "GHSA-x", Aliases: []string{"CVE-2024-0001"}, CVSS: 5.3, HasCVSS: true}, 8.3},
		{"epss probability", Vulnerability{ID: "CVE-2024-0002", CVSS: 6.1, HasCVSS: true}, 7.6},
		{"epss percentile", Vulnerability{ID: "CVE-2024-0003", CVSS: 5.0, HasCVSS: true}, 6.5},
		{"capped", Vulnerability{ID: "CVE-2024-0001", CVSS: 9.8, HasCVSS: true}, 10},
		{"severity only", Vulnerability{ID: "CVE-2024-0009", Severity: "high"}, 7},
		{"nothing", Vulnerability{ID: "CVE-2024-0009"}, 0},
	} {
		if got := Score(tc.v, kev, epss, p); got.Score != tc.want {
			t.Errorf("%s: %v (%s), want %v", tc.name, got.Score, got.Breakdown(), tc.want)
		}
	}
}

func TestLicenseAllowed(t *testing.T) {
	allowed := allowedSet([]string{"MIT", "Apache-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"})
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{"MIT", true}, {"mit", true}, {"GPL-3.0-only", false},
		{"MIT OR GPL-3.0-only", true}, {"MIT AND GPL-3.0-only", false}, {"(MIT AND Apache-2.0) OR BSD-3-Clause", true},
		{"GPL-2.0-only WITH Classpath-exception-2.0", true}, {"GPL-2.0-only", false},
		{"Apache-2.0+", true}, {"Some Custom Licence", false}, {"MIT AND (", false},
	} {
		if got := LicenseAllowed(tc.expr, allowed); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.expr, got, tc.want)
		}
	}
}

func comp(purl string) Component { return newComponent("", "", purl, "", nil) }

func TestVEXDecide(t *testing.T) {
	lodash := comp("pkg:npm/lodash@4.17.20")
	products := []string{"pkg:oci/app@sha256:abcd?repository_url=ghcr.io/acme/app", "acme-app"}
	v := Vulnerability{ID: "GHSA-p6mc", Aliases: []string{"CVE-2021-23337"}, Package: lodash}
	for _, tc := range []struct {
		name   string
		stmts  []Statement
		covers bool
		none   bool
	}{
		{"package itself", []Statement{{Vulnerability: "CVE-2021-23337", Products: []string{"pkg:npm/lodash"}, Status: StatusNotAffected, Justification: "vulnerable_code_not_in_execute_path"}}, true, false},
		{"product and subcomponent", []Statement{{Vulnerability: "CVE-2021-23337", Products: []string{"pkg:oci/app@sha256:abcd"}, Subcomponents: []string{"pkg:npm/lodash@4.17.20"}, Status: StatusFixed}}, true, false},
		{"product without subcomponents", []Statement{{Vulnerability: "GHSA-p6mc", Products: []string{"acme-app"}, Status: StatusFixed}}, true, false},
		{"other subcomponent", []Statement{{Vulnerability: "CVE-2021-23337", Products: []string{"acme-app"}, Subcomponents: []string{"pkg:npm/underscore"}, Status: StatusFixed}}, false, true},
		{"other version", []Statement{{Vulnerability: "CVE-2021-23337", Products: []string{"pkg:npm/lodash@4.17.21"}, Status: StatusFixed}}, false, true},
		{"not affected without justification", []Statement{{Vulnerability: "CVE-2021-23337", Products: []string{"pkg:npm/lodash"}, Status: StatusNotAffected}}, false, false},
		{"affected", []Statement{{Vulnerability: "CVE-2021-23337", Products: []string{"pkg:npm/lodash"}, Status: StatusAffected}}, false, false},
		{"later affected wins", []Statement{
			{Vulnerability: "CVE-2021-23337", Products: []string{"pkg:npm/lodash"}, Status: StatusFixed},
			{Vulnerability: "CVE-2021-23337", Products: []string{"pkg:npm/lodash"}, Status: StatusUnderInvestigation}}, false, false},
		{"other vulnerability", []Statement{{Vulnerability: "CVE-2020-8203", Products: []string{"pkg:npm/lodash"}, Status: StatusFixed}}, false, true},
	} {
		d := NewVEXIndex(tc.stmts).Decide(v, products)
		if (d == nil) != tc.none || (d != nil && d.Covers() != tc.covers) {
			t.Errorf("%s: decision %+v", tc.name, d)
		}
	}
}

func TestParityAndDiff(t *testing.T) {
	mk := func(purls ...string) *SBOM {
		s := &SBOM{Name: "x"}
		for _, p := range purls {
			s.Components = append(s.Components, comp(p))
		}
		return s
	}
	amd := mk("pkg:apk/wolfi/busybox@1.36?arch=x86_64", "pkg:apk/wolfi/glibc@2.39?arch=x86_64", "pkg:apk/wolfi/ld-linux@2.39?arch=x86_64")
	arm := mk("pkg:apk/wolfi/busybox@1.36?arch=aarch64", "pkg:apk/wolfi/glibc@2.40?arch=aarch64")
	diffs := Parity([]PlatformSBOM{{"linux/amd64", amd}, {"linux/arm64", arm}})
	if len(diffs) != 2 || diffs[0].Package != "pkg:apk/wolfi/glibc" || diffs[0].Rule() != RuleParityVersion ||
		diffs[1].Package != "pkg:apk/wolfi/ld-linux" || diffs[1].Rule() != RuleParityMissing || diffs[1].Missing[0] != "linux/arm64" {
		t.Errorf("parity: %+v", diffs)
	}
	base := mk("pkg:npm/a@1.0.0", "pkg:npm/b@2.0.0", "pkg:npm/c@1.0.0", "pkg:npm/d@1.0.0", "pkg:npm/d@2.0.0")
	head := mk("pkg:npm/a@1.1.0", "pkg:npm/b@1.9.0", "pkg:npm/e@1.0.0", "pkg:npm/d@2.0.0", "pkg:npm/d@3.0.0")
	head.Components[3].Licenses = []string{"MIT"}
	d := Diff(base, head)
	if len(d.Upgraded) != 2 || len(d.Downgraded) != 1 || d.Downgraded[0].Head.PURL.Name != "b" || len(d.Added) != 1 || len(d.Removed) != 1 || d.Unchanged != 1 || len(d.Relicensed) != 1 {
		t.Errorf("diff: %+v", d)
	}
	for _, tc := range []struct{ entry, platform string }{
		{"sboms/sbom-aarch64.spdx.json", "linux/arm64"}, {"sbom.x86_64.cdx.json", "linux/amd64"},
		{"linux/arm/v7=a.json", "linux/arm/v7"}, {"app-amd64.json", "linux/amd64"},
	} {
		if p, _, ok := platformOf(tc.entry); !ok || p != tc.platform {
			t.Errorf("%s: %q %v", tc.entry, p, ok)
		}
	}
	if _, _, ok := platformOf("sbom.json"); ok {
		t.Error("a file name without an architecture got a platform")
	}
}

func TestBotMatches(t *testing.T) {
	u := BotUpdate{Bot: "dependabot", Package: "org.apache:commons-text", To: "1.10.0"}
	if !u.Matches(Change{Head: comp("pkg:maven/org.apache/commons-text@1.10.0")}) || u.Matches(Change{Head: comp("pkg:maven/org.apache/commons-text@1.9")}) {
		t.Error("maven group:artifact")
	}
	if m := dependabotTitle.FindStringSubmatch("chore(deps): bump lodash from 4.17.20 to 4.17.21 in /web"); m == nil || m[1] != "lodash" || m[3] != "4.17.21" {
		t.Errorf("dependabot title: %q", m)
	}
	if m := renovateTitle.FindStringSubmatch("Update dependency lodash to v4.17.21"); m == nil || m[1] != "lodash" || m[2] != "v4.17.21" {
		t.Errorf("renovate title: %q", m)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		fn   func() error
	}{
		{"sbom not json", ErrUnknownFormat, func() error { _, err := ParseSBOM("x", []byte("<xml/>")); return err }},
		{"sbom other format", ErrUnknownFormat, func() error { _, err := ParseSBOM("x", []byte(`{"name":"x"}`)); return err }},
		{"kev other json", ErrNotKEV, func() error { _, err := ParseKEV([]byte(`{"title":"x"}`)); return err }},
		{"kev bad id", ErrNotKEV, func() error {
			_, err := ParseKEV([]byte(`{"catalogVersion":"1","vulnerabilities":[{"cveID":"GHSA-1"}]}`))
			return err
		}},
		{"epss header", ErrNotEPSS, func() error { _, err := ParseEPSS([]byte("cve,score\nCVE-1,0.1\n")); return err }},
		{"epss row", ErrNotEPSS, func() error { _, err := ParseEPSS([]byte("cve,epss,percentile\nCVE-1,2,0.1\n")); return err }},
		{"report", ErrUnknownReport, func() error { _, _, err := ParseReport("x", []byte(`{"runs":[]}`)); return err }},
		{"vex", ErrNotVEX, func() error { _, err := ParseVEX("x", []byte(`{"statements":[]}`)); return err }},
	} {
		err := tc.fn()
		if err == nil || !strings.Contains(err.Error(), tc.err.Error()) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
	}
}
