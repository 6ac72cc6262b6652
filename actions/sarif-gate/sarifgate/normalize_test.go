package sarifgate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
)

// TestNormalizeTools is the golden record of how every fixture tool's
// results come out: severity and where it came from, repository-relative
// place, fingerprint, suppression.
func TestNormalizeTools(t *testing.T) {
	rep := Normalize(sources(t, toolFixtures(t)...), testOptions)
	var b strings.Builder
	for _, r := range rep.Runs {
		fmt.Fprintf(&b, "run %s %s category %s from %v\n", r.Tool, r.Version, r.Category, r.Sources)
		for _, it := range r.Items {
			flags := ""
			if it.Suppression != nil {
				flags += " suppressed(" + it.Suppression.Kind + ")"
			}
			if it.NotAProblem {
				flags += " not-a-problem"
			}
			fmt.Fprintf(&b, "  %-8s %-24s %s:%d:%d %s %s%s\n    %s\n", it.Severity, "("+it.SeverityFrom+")", it.Path, it.Line, it.Col, it.RuleID, it.Fingerprint, flags, it.Message)
		}
	}
	fmt.Fprintf(&b, "read %d, duplicates %d\n", rep.Read, rep.Duplicates)
	golden(t, "tools.golden", []byte(b.String()))
}

func TestSeverityOfEachFixture(t *testing.T) {
	rep := Normalize(sources(t, toolFixtures(t)...), testOptions)
	want := map[string]finding.Severity{
		"B105":                   finding.Low,    // issue_severity LOW
		"B602":                   finding.High,   // issue_severity HIGH
		"B608":                   finding.Low,    // issue_severity MEDIUM, issue_confidence LOW: one band down
		"G304":                   finding.Medium, // rule tag MEDIUM beats level error
		"py/sql-injection":       finding.High,   // extension rule security-severity 8.8
		"py/unused-import":       finding.Low,    // extension rule default level note
		"CVE-2024-9143":          finding.Medium, // security-severity 4.3 beats the LOW tag
		"DS002":                  finding.High,
		"CVE-2023-42363-busybox": finding.Medium, // 5.5
		"no-eval":                finding.High,   // level error
		"no-unused-vars":         finding.Medium, // level warning
		"aws-access-token":       finding.High,   // nothing at all: default-severity
		"zizmor/artipacked":      finding.Low,    // zizmor/severity Medium, zizmor/confidence Low
		"python.django.security.injection.tainted-sql-string.tainted-sql-string": finding.High, // rule default level error
	}
	seen := map[string]bool{}
	for _, it := range rep.Items() {
		if s, ok := want[it.RuleID]; ok {
			seen[it.RuleID] = true
			if it.Severity != s {
				t.Errorf("%s %s: severity %s (%s), want %s", it.Tool, it.RuleID, it.Severity, it.SeverityFrom, s)
			}
		}
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("no result for %s", id)
		}
	}
}

func TestPaths(t *testing.T) {
	rep := Normalize(sources(t, toolFixtures(t)...), testOptions)
	paths := map[string]string{}
	for _, it := range rep.Items() {
		paths[it.Tool+" "+it.RuleID] = it.Path
	}
	for k, want := range map[string]string{
		"Bandit B602":                 "app/tasks.py", // runner checkout path
		"ruff F401":                   "app/views.py", // file:// URI on the runner
		"ESLint no-unused-vars":       "web/app.js",   // artifact index
		"Trivy DS002":                 "Dockerfile",   // container workspace
		"Trivy CVE-2024-9143":         "library/app",  // undefined uriBaseId
		"CodeQL py/sql-injection":     "app/db.py",    // %SRCROOT%
		"Grype CVE-2024-6119-libssl3": "image/lib/apk/db/installed",
	} {
		if paths[k] != want {
			t.Errorf("%s: path %q, want %q", k, paths[k], want)
		}
	}
}

// shifted writes a copy of a fixture with every line number moved down by
// n, as if lines were added at the top of every file.
func shifted(t *testing.T, src string, n int) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, key := range []string{`"startLine": `, `"endLine": `} {
		var out strings.Builder
		for {
			i := strings.Index(s, key)
			if i < 0 {
				out.WriteString(s)
				break
			}
			out.WriteString(s[:i+len(key)])
			s = s[i+len(key):]
			var v int
			fmt.Sscanf(s, "%d", &v)
			digits := len(fmt.Sprint(v))
			fmt.Fprintf(&out, "%d", v+n)
			s = s[digits:]
		}
		s = out.String()
	}
	p := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFingerprintsSurviveLineShifts(t *testing.T) {
	for _, f := range toolFixtures(t) {
		a := Normalize(sources(t, f), testOptions)
		b := Normalize(sources(t, shifted(t, f, 7)), testOptions)
		for i, it := range a.Items() {
			other := b.Items()[i]
			if other.Line != 0 && other.Line != it.Line+7 {
				t.Fatalf("%s: the shift did not apply (%d -> %d)", f, it.Line, other.Line)
			}
			// Tools whose partialFingerprints hash the line number itself
			// would move; none of the fixtures does.
			if other.Fingerprint != it.Fingerprint {
				t.Errorf("%s %s: fingerprint changed when lines moved", filepath.Base(f), it.RuleID)
			}
		}
	}
}

func TestDuplicatesAcrossFilesAndRuns(t *testing.T) {
	f := filepath.Join("testdata", "tools", "bandit.sarif")
	rep := Normalize(sources(t, f, f), testOptions)
	if len(rep.Runs) != 1 || len(rep.Items()) != 3 || rep.Duplicates != 3 || rep.Read != 6 {
		t.Fatalf("runs %d items %d duplicates %d read %d; want 1, 3, 3, 6", len(rep.Runs), len(rep.Items()), rep.Duplicates, rep.Read)
	}
	// The same result moved to another line is not a duplicate, and its
	// fingerprint says it is the second of its kind.
	rep = Normalize(sources(t, f, shifted(t, f, 3)), testOptions)
	if len(rep.Items()) != 6 || rep.Duplicates != 0 {
		t.Fatalf("items %d duplicates %d; want 6, 0", len(rep.Items()), rep.Duplicates)
	}
	fp := map[string]bool{}
	for _, it := range rep.Items() {
		if fp[it.Fingerprint] {
			t.Errorf("fingerprint %s given twice", it.Fingerprint)
		}
		fp[it.Fingerprint] = true
	}
}

func TestRepeatedFindingsGetNumberedFingerprints(t *testing.T) {
	rep := Normalize(sources(t, filepath.Join("testdata", "tools", "gosec.sarif")), testOptions)
	var g104 []*Item
	for _, it := range rep.Items() {
		if it.RuleID == "G104" {
			g104 = append(g104, it)
		}
	}
	if len(g104) != 2 || g104[0].Fingerprint == g104[1].Fingerprint || g104[0].key != g104[1].key {
		t.Fatalf("the two G104 results on identical lines: %+v", g104)
	}
}

func TestCategories(t *testing.T) {
	rep := Normalize(sources(t, toolFixtures(t)...), Options{Category: "scan"})
	cats := map[string]string{}
	for _, r := range rep.Runs {
		cats[r.Tool] = r.Category
	}
	if cats["CodeQL"] != "/language:python/" || cats["Semgrep OSS"] != "scan/semgrep-oss/" || cats["Bandit"] != "scan/bandit/" {
		t.Errorf("categories %v", cats)
	}
}

func TestSuppressedAndBaseline(t *testing.T) {
	rep := Normalize(sources(t, filepath.Join("testdata", "tools", "semgrep.sarif")), testOptions)
	var suppressed int
	for _, it := range rep.Items() {
		if it.Suppression != nil {
			suppressed++
			if it.Suppression.Kind != "inSource" || it.Counted(false) {
				t.Errorf("suppressed result %+v", it)
			}
		}
	}
	if suppressed != 1 {
		t.Errorf("%d suppressed, want 1", suppressed)
	}
	base := Normalize(sources(t, filepath.Join("testdata", "tools", "bandit.sarif")), testOptions)
	head := Normalize(sources(t, shifted(t, filepath.Join("testdata", "tools", "bandit.sarif"), 5), filepath.Join("testdata", "tools", "gosec.sarif")), testOptions)
	if n := MarkBaseline(head, base); n != 3 {
		t.Fatalf("%d results matched the baseline, want the 3 Bandit ones", n)
	}
	for _, it := range head.Items() {
		if it.Baseline != (it.Tool == "Bandit") || it.Counted(true) == it.Baseline {
			t.Errorf("%s %s: baseline %v counted %v", it.Tool, it.RuleID, it.Baseline, it.Counted(true))
		}
	}
}
