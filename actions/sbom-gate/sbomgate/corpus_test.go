package sbomgate

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir finds the public test material kept beside the checkout
// (../shared/corpora from the module root), or HUB_CORPORA; the tests that
// read it skip when it is absent, since the repository does not ship it.
func corpusDir(t *testing.T, sub string) string {
	t.Helper()
	dir := os.Getenv("HUB_CORPORA")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for d := wd; filepath.Dir(d) != d; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				dir = filepath.Join(filepath.Dir(d), "shared", "corpora")
				break
			}
		}
	}
	p := filepath.Join(dir, sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no corpus at %s (set HUB_CORPORA)", p)
	}
	return p
}

// Every SBOM a real tool wrote, and every valid example of the formats'
// own test suites, reads without error, with the package count the
// corpus oracle computed; the documents the oracle could not parse are
// refused, naming what is wrong.
func TestCorpusSBOMs(t *testing.T) {
	dir := corpusDir(t, "sbom")
	raw, err := os.ReadFile(filepath.Join(dir, "ORACLE.json"))
	if err != nil {
		t.Fatal(err)
	}
	var oracle []struct {
		File     string `json:"file"`
		Format   string `json:"format"`
		Packages *int   `json:"packages"`
		Comps    *int   `json:"components"`
	}
	if err := json.Unmarshal(raw, &oracle); err != nil {
		t.Fatal(err)
	}
	read, refused := 0, 0
	for _, o := range oracle {
		data, err := os.ReadFile(filepath.Join(dir, o.File))
		if os.IsNotExist(err) {
			continue // the oracle also covers files this copy of the corpus leaves out
		}
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseSBOM(o.File, data)
		switch {
		case o.Format == "unparseable":
			if err == nil {
				t.Errorf("%s: the oracle cannot parse it, the gate read it", o.File)
			}
			refused++
			continue
		case strings.Contains(o.File, "/invalid-"):
			continue // schema-invalid on purpose; reading it or not is both fine
		case o.Format != "SPDX" && o.Format != "CycloneDX":
			continue
		case err != nil:
			t.Errorf("%s: %v", o.File, err)
			continue
		}
		read++
		want := o.Packages
		if want == nil {
			want = o.Comps
		}
		if want != nil && s.Listed != *want {
			t.Errorf("%s: %d packages listed, the oracle counts %d", o.File, s.Listed, *want)
		}
	}
	if read < 100 || refused == 0 {
		t.Errorf("read %d documents and refused %d: the corpus is not what this test expects", read, refused)
	}
	// The trivy attestation (an in-toto statement in a DSSE envelope,
	// one JSON line) holds the same SBOM as the plain file.
	att, err := os.ReadFile(filepath.Join(dir, "trivy/integration/testdata/fixtures/sbom/centos-7-cyclonedx.intoto.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := os.ReadFile(filepath.Join(dir, "trivy/integration/testdata/fixtures/sbom/centos-7-cyclonedx.json"))
	a, err := ParseSBOM("att", att)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseSBOM("plain", plain)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Components) != len(p.Components) || len(a.Components) == 0 {
		t.Errorf("attestation lists %d components, the plain SBOM %d", len(a.Components), len(p.Components))
	}
}

// apko's golden per-architecture SBOMs list the same packages, arch
// qualifiers and the per-arch image and layer entries aside; the oracle's
// version pair (proton-bridge 1.6.3 to 1.8.0) is 7 upgrades and nothing
// else.
func TestCorpusParityAndDiff(t *testing.T) {
	dir := corpusDir(t, "sbom")
	load := func(rel string) *SBOM {
		b, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseSBOM(rel, b)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	x := load("apko/internal/cli/testdata/golden/sboms/sbom-x86_64.spdx.json")
	a := load("apko/internal/cli/testdata/golden/sboms/sbom-aarch64.spdx.json")
	if d := Parity([]PlatformSBOM{{"linux/amd64", x}, {"linux/arm64", a}}); len(d) != 0 || len(x.Components) != 5 {
		t.Errorf("apko golden: %d components, differences %+v", len(x.Components), d)
	}
	d := Diff(load("cyclonedx-bom-examples/SBOM/proton-bridge/proton-bridge-v1.6.3.bom.json"), load("cyclonedx-bom-examples/SBOM/proton-bridge/proton-bridge-v1.8.0.bom.json"))
	if len(d.Upgraded) != 7 || len(d.Added)+len(d.Removed)+len(d.Downgraded) != 0 {
		t.Errorf("proton-bridge: %d upgraded, %d added, %d removed, %d downgraded", len(d.Upgraded), len(d.Added), len(d.Removed), len(d.Downgraded))
	}
}

// Every OpenVEX and CSAF document of the VEX corpus reads, with the
// statuses the oracle lists; the CycloneDX VEX examples read too.
func TestCorpusVEX(t *testing.T) {
	dir := corpusDir(t, "vex")
	oracle, err := os.ReadFile(filepath.Join(dir, "ORACLE.md"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, line := range strings.Split(string(oracle), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 6 {
			continue
		}
		name, kind, statuses := strings.TrimSpace(cells[1]), strings.TrimSpace(cells[2]), strings.TrimSpace(cells[4])
		if !strings.HasPrefix(kind, "OpenVEX https") && !strings.HasPrefix(kind, "CSAF") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		stmts, err := ParseVEX(name, data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		checked++
		if statuses == "" {
			continue
		}
		var got []string
		for _, s := range stmts {
			got = append(got, s.Vulnerability+":"+s.Status)
		}
		if strings.Join(got, "; ") != statuses {
			t.Errorf("%s: statements %q, the oracle says %q", name, strings.Join(got, "; "), statuses)
		}
	}
	if checked < 20 {
		t.Errorf("checked %d documents", checked)
	}
	cdx := 0
	err = filepath.WalkDir(filepath.Join(corpusDir(t, "sbom"), "cyclonedx-bom-examples/VEX"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, "vex.json") && !strings.Contains(p, "vex-") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if _, err := ParseVEX(p, b); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		cdx++
		return nil
	})
	if err != nil || cdx < 10 {
		t.Errorf("CycloneDX VEX examples: %d read, %v", cdx, err)
	}
}

// The real KEV catalogue reads with its 1,404 entries, and the EPSS excerpt
// with its 25 rows; the oracle's three KEV CVEs among them are found.
func TestCorpusKEVAndEPSS(t *testing.T) {
	dir := corpusDir(t, "kev-epss")
	kb, err := os.ReadFile(filepath.Join(dir, "cisagov-kev-data/known_exploited_vulnerabilities.json"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseKEV(kb)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := os.ReadFile(filepath.Join(dir, "epss-sample/epss_scores-excerpt.csv"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := ParseEPSS(eb)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Added) != 1404 || k.Date() != "2025-08-25" || len(e.Scores) != 25 || e.Date != "2026-09-29" {
		t.Errorf("KEV %d entries of %s, EPSS %d scores of %s", len(k.Added), k.Date(), len(e.Scores), e.Date)
	}
	var inKEV []string
	for cve := range e.Scores {
		if _, ok := k.Added[cve]; ok {
			inKEV = append(inKEV, cve)
		}
	}
	if len(inKEV) != 3 {
		t.Errorf("EPSS excerpt CVEs in KEV: %v, the oracle lists 3", inKEV)
	}
	// The CSV form of the catalogue is not the catalogue this gate reads.
	cb, _ := os.ReadFile(filepath.Join(dir, "cisagov-kev-data/known_exploited_vulnerabilities.csv"))
	if _, err := ParseKEV(cb); err == nil {
		t.Error("the KEV CSV was read as the JSON catalogue")
	}
}
