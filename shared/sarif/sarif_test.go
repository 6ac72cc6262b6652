package sarif_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/sarif"
	"github.com/hubgates/hub/shared/sarif/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// validate checks doc against the SARIF 2.1.0 schema.
func validate(t *testing.T, doc []byte) error {
	t.Helper()
	return schema.Validate(doc)
}

var (
	tool = sarif.Tool{Name: "hub-pin", Version: "v1.2.3", InformationURI: "https://github.com/hubgates/hub"}

	rulePin = finding.Rule{
		ID: "unpinned-uses", Severity: finding.High,
		Summary: "Action reference is not pinned to a commit SHA",
		Help:    "Pin the action to a full 40-character commit SHA and keep the tag in a comment.",
		HelpURI: "https://github.com/hubgates/hub/blob/main/docs/rules/unpinned-uses.md",
	}
	rulePerm = finding.Rule{
		ID: "broad-permissions", Severity: finding.Medium,
		Summary: "Workflow grants write-all permissions",
	}
	ruleInfo = finding.Rule{ID: "no-policy", Severity: finding.Info, Summary: "No policy file"}

	basicRules    = []finding.Rule{rulePin, rulePerm, ruleInfo}
	basicFindings = []finding.Finding{
		{
			Rule: "unpinned-uses", Severity: finding.Critical,
			Message: "actions/checkout@v4 is not pinned to a commit SHA",
			Path:    ".github/workflows/ci.yml", Line: 12, Col: 15,
			Fingerprint: finding.Fingerprint("unpinned-uses", ".github/workflows/ci.yml", "actions/checkout@v4"),
		},
		{
			Rule: "broad-permissions", Severity: finding.Medium,
			Message: "permissions: write-all", Path: ".github/workflows/release.yml", Line: 4,
			Fingerprint: finding.Fingerprint("broad-permissions", ".github/workflows/release.yml", "write-all"),
		},
		{
			Rule: "unpinned-uses", Severity: finding.High,
			Message: "docker://alpine:latest is not pinned to a digest",
			Path:    ".github/workflows/my build.yml",
		},
		{Rule: "no-policy", Severity: finding.Info, Message: "no .github/hub-policy.yml found"},
	}
)

// build runs Build and Marshal and fails the test on an error.
func build(t *testing.T, rules []finding.Rule, fs []finding.Finding, opts ...sarif.Option) []byte {
	t.Helper()
	r, err := sarif.Build(tool, rules, fs, opts...)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	b, err := sarif.Marshal(r)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	return b
}

// decode parses a log into generic JSON for field checks.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, b)
	}
	return m
}

// get walks a decoded JSON value along keys (strings) and indexes (ints);
// it returns nil when a step is missing.
func get(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[p]
		case int:
			a, ok := v.([]any)
			if !ok || p >= len(a) {
				return nil
			}
			v = a[p]
		}
	}
	return v
}

func TestSchemaValid(t *testing.T) {
	manyRules := make([]finding.Rule, 0, 60)
	var manyFindings []finding.Finding
	for i := range 60 {
		id := fmt.Sprintf("rule-%02d", i)
		manyRules = append(manyRules, finding.Rule{
			ID: id, Severity: finding.Severities()[i%5], Summary: "summary " + id,
			HelpURI: "https://example.com/rules/" + id,
		})
		if i%3 == 0 {
			manyFindings = append(manyFindings, finding.Finding{
				Rule: id, Severity: finding.Severities()[i%5], Message: "found " + id,
				Path: fmt.Sprintf("dir/file-%d.yml", i), Line: i + 1, Col: i % 4,
				Fingerprint: finding.Fingerprint(id, "dir", "k"),
			})
		}
	}
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name     string
		rules    []finding.Rule
		findings []finding.Finding
		opts     []sarif.Option
	}{
		{name: "no rules, no findings"},
		{name: "rules, no findings", rules: basicRules},
		{name: "basic", rules: basicRules, findings: basicFindings},
		{name: "positions", rules: basicRules, findings: []finding.Finding{
			{Rule: "unpinned-uses", Severity: finding.High, Message: "m", Path: "a.yml", Line: 1, Col: 1, Fingerprint: "f"},
			{Rule: "unpinned-uses", Severity: finding.High, Message: "m", Path: "a.yml", Line: 7},
			{Rule: "unpinned-uses", Severity: finding.High, Message: "m", Path: "a.yml", Col: 3},
			{Rule: "unpinned-uses", Severity: finding.High, Message: "", Path: "./dir//b c%.yml"},
			{Rule: "no-policy", Severity: finding.Low, Message: "m"},
		}},
		{name: "many rules", rules: manyRules, findings: manyFindings},
		{name: "suppressions", rules: basicRules, findings: suppressedFindings},
		{name: "all options", rules: basicRules, findings: basicFindings, opts: []sarif.Option{
			sarif.WithCategory("hub/pin"),
			sarif.WithSourceRoot("file:///home/runner/work/repo/repo/"),
			sarif.WithInvocation(true, start, start.Add(1500*time.Millisecond)),
			sarif.WithDefaultPath(".github/hub-policy.yml"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := build(t, tt.rules, tt.findings, tt.opts...)
			if err := validate(t, b); err != nil {
				t.Fatalf("output does not match the SARIF 2.1.0 schema: %v\n%s", err, b)
			}
			m := decode(t, b)
			if n := len(get(m, "runs").([]any)); n != 1 {
				t.Errorf("got %d runs, want 1", n)
			}
			if got := len(get(m, "runs", 0, "tool", "driver", "rules").([]any)); got != len(tt.rules) {
				t.Errorf("got %d rules, want %d", got, len(tt.rules))
			}
			results := get(m, "runs", 0, "results").([]any)
			if len(results) != len(tt.findings) {
				t.Fatalf("got %d results, want %d", len(results), len(tt.findings))
			}
			for i, f := range tt.findings {
				res := results[i]
				idx := int(get(res, "ruleIndex").(float64))
				if get(res, "ruleId") != f.Rule || tt.rules[idx].ID != f.Rule {
					t.Errorf("result %d: ruleId %v, ruleIndex %d, want rule %q", i, get(res, "ruleId"), idx, f.Rule)
				}
				if got := get(m, "runs", 0, "tool", "driver", "rules", idx, "id"); got != f.Rule {
					t.Errorf("result %d: rules[%d].id = %v, want %q", i, idx, got, f.Rule)
				}
			}
		})
	}
}

func TestResultFields(t *testing.T) {
	m := decode(t, build(t, basicRules, basicFindings))
	results := get(m, "runs", 0, "results").([]any)

	first := results[0]
	if got := get(first, "level"); got != "error" {
		t.Errorf("critical finding level = %v, want error", got)
	}
	al := get(first, "locations", 0, "physicalLocation", "artifactLocation")
	if get(al, "uri") != ".github/workflows/ci.yml" || get(al, "uriBaseId") != "%SRCROOT%" {
		t.Errorf("artifactLocation = %v", al)
	}
	region := get(first, "locations", 0, "physicalLocation", "region")
	if get(region, "startLine") != 12.0 || get(region, "startColumn") != 15.0 {
		t.Errorf("region = %v, want startLine 12, startColumn 15", region)
	}
	if got := get(first, "partialFingerprints", "hubFingerprint/v1"); got != basicFindings[0].Fingerprint {
		t.Errorf("partialFingerprints = %v", get(first, "partialFingerprints"))
	}

	// Line but no column: startColumn is left out.
	region = get(results[1], "locations", 0, "physicalLocation", "region")
	if get(region, "startLine") != 4.0 || get(region, "startColumn") != nil {
		t.Errorf("region = %v, want startLine 4 only", region)
	}
	if get(results[1], "level") != "warning" {
		t.Errorf("medium finding level = %v", get(results[1], "level"))
	}

	// No line: no region; the space in the path is percent-encoded.
	pl := get(results[2], "locations", 0, "physicalLocation")
	if get(pl, "region") != nil {
		t.Errorf("finding without a line got a region: %v", pl)
	}
	if got := get(pl, "artifactLocation", "uri"); got != ".github/workflows/my%20build.yml" {
		t.Errorf("uri = %v", got)
	}
	if get(results[2], "partialFingerprints") != nil {
		t.Errorf("finding without a fingerprint got partialFingerprints")
	}

	// No path: no location.
	if get(results[3], "locations") != nil {
		t.Errorf("finding without a path got locations: %v", get(results[3], "locations"))
	}
	if get(results[3], "level") != "note" {
		t.Errorf("info finding level = %v", get(results[3], "level"))
	}
}

func TestRuleAndDriverFields(t *testing.T) {
	m := decode(t, build(t, basicRules, nil))
	driver := get(m, "runs", 0, "tool", "driver")
	if get(driver, "name") != "hub-pin" || get(driver, "version") != "v1.2.3" ||
		get(driver, "semanticVersion") != "1.2.3" || get(driver, "informationUri") != tool.InformationURI {
		t.Errorf("driver = %v", driver)
	}
	pin := get(driver, "rules", 0)
	want := map[string]any{
		"id": "unpinned-uses", "name": "unpinned-uses",
		"shortDescription":     map[string]any{"text": rulePin.Summary},
		"fullDescription":      map[string]any{"text": rulePin.Summary},
		"helpUri":              rulePin.HelpURI,
		"defaultConfiguration": map[string]any{"level": "error"},
		"help": map[string]any{
			"text":     rulePin.Help + "\n\nSee " + rulePin.HelpURI,
			"markdown": rulePin.Help + "\n\n[More information](" + rulePin.HelpURI + ")",
		},
		"properties": map[string]any{
			"security-severity": "8.0",
			"tags":              []any{"security", "supply-chain"},
			"precision":         "high",
			"problem.severity":  "error",
		},
	}
	if !reflect.DeepEqual(pin, want) {
		t.Errorf("rule =\n%v\nwant\n%v", pin, want)
	}
	perm := get(driver, "rules", 1)
	if get(perm, "helpUri") != nil || get(perm, "help", "text") != rulePerm.Summary ||
		get(perm, "properties", "problem.severity") != "warning" || get(perm, "defaultConfiguration", "level") != "warning" {
		t.Errorf("rule without help = %v", perm)
	}
	if got := get(driver, "rules", 2, "properties", "problem.severity"); got != "recommendation" {
		t.Errorf("info rule problem.severity = %v", got)
	}
}

func TestSemanticVersion(t *testing.T) {
	for _, tt := range []struct{ version, semantic string }{
		{"v1.2.3", "1.2.3"},
		{"1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5"},
		{"dev", ""},
		{"v1.2", ""},
		{"01.2.3", ""},
		{"", ""},
	} {
		r, err := sarif.Build(sarif.Tool{Name: "t", Version: tt.version}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		d := r.Runs[0].Tool.Driver
		if got := deref(d.Version); got != tt.version {
			t.Errorf("version %q: driver.version = %q", tt.version, got)
		}
		if got := deref(d.SemanticVersion); got != tt.semantic {
			t.Errorf("version %q: semanticVersion = %q, want %q", tt.version, got, tt.semantic)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestOptions(t *testing.T) {
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	m := decode(t, build(t, basicRules, nil,
		sarif.WithCategory("hub/pin//"),
		sarif.WithSourceRoot("file:///home/runner/work/repo/repo/"),
		sarif.WithInvocation(false, start, start.Add(time.Second)),
	))
	run := get(m, "runs", 0)
	if got := get(run, "automationDetails", "id"); got != "hub/pin/" {
		t.Errorf("automationDetails.id = %v, want hub/pin/", got)
	}
	if got := get(run, "originalUriBaseIds", "%SRCROOT%", "uri"); got != "file:///home/runner/work/repo/repo/" {
		t.Errorf("originalUriBaseIds = %v", get(run, "originalUriBaseIds"))
	}
	inv := get(run, "invocations", 0)
	if get(inv, "executionSuccessful") != false || get(inv, "startTimeUtc") != "2025-01-02T02:04:05Z" ||
		get(inv, "endTimeUtc") != "2025-01-02T02:04:06Z" {
		t.Errorf("invocation = %v", inv)
	}

	plain := decode(t, build(t, basicRules, nil))
	for _, key := range []string{"automationDetails", "originalUriBaseIds", "invocations"} {
		if get(plain, "runs", 0, key) != nil {
			t.Errorf("%s set without its option", key)
		}
	}
}

func TestDefaultPath(t *testing.T) {
	fs := []finding.Finding{
		{Rule: "no-policy", Message: "no policy", Line: 3, Col: 2},
		{Rule: "unpinned-uses", Message: "m", Path: "a.yml", Line: 5},
	}
	m := decode(t, build(t, basicRules, fs, sarif.WithDefaultPath("./.github/hub policy.yml")))
	pl := get(m, "runs", 0, "results", 0, "locations", 0, "physicalLocation")
	if get(pl, "artifactLocation", "uri") != ".github/hub%20policy.yml" || get(pl, "artifactLocation", "uriBaseId") != "%SRCROOT%" {
		t.Errorf("pathless finding location = %v", pl)
	}
	if get(pl, "region") != nil {
		t.Errorf("pathless finding got a region at the default path: %v", get(pl, "region"))
	}
	if got := get(m, "runs", 0, "results", 1, "locations", 0, "physicalLocation", "artifactLocation", "uri"); got != "a.yml" {
		t.Errorf("finding with a path moved to %v", got)
	}
}

func TestErrors(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	ok := finding.Finding{Rule: "unpinned-uses", Severity: finding.High, Message: "m", Path: "a.yml", Line: 1}
	with := func(mod func(*finding.Finding)) []finding.Finding {
		f := ok
		mod(&f)
		return []finding.Finding{f}
	}
	tests := []struct {
		name     string
		tool     sarif.Tool
		rules    []finding.Rule
		findings []finding.Finding
		opts     []sarif.Option
		want     string // a part of the error message
	}{
		{name: "unknown rule", findings: with(func(f *finding.Finding) { f.Rule = "nope" }), want: `unknown rule "nope"`},
		{name: "absolute path", findings: with(func(f *finding.Finding) { f.Path = "/etc/passwd" }), want: `"/etc/passwd" is absolute`},
		{name: "dotdot path", findings: with(func(f *finding.Finding) { f.Path = "a/../../b.yml" }), want: `"a/../../b.yml" contains a .. segment`},
		{name: "leading dotdot", findings: with(func(f *finding.Finding) { f.Path = "../b.yml" }), want: `"../b.yml"`},
		{name: "dot path", findings: with(func(f *finding.Finding) { f.Path = "./" }), want: "names no file"},
		{name: "negative line", findings: with(func(f *finding.Finding) { f.Line = -1 }), want: "negative line"},
		{name: "finding severity", findings: with(func(f *finding.Finding) { f.Severity = 7 }), want: "invalid severity 7"},
		{name: "rule severity", rules: []finding.Rule{{ID: "r", Severity: -1}}, want: `rule "r": invalid severity -1`},
		{name: "duplicate rule", rules: []finding.Rule{rulePin, rulePin}, want: `rule "unpinned-uses" is listed twice`},
		{name: "empty rule id", rules: []finding.Rule{{ID: " "}}, want: "empty id"},
		{name: "bad help uri", rules: []finding.Rule{{ID: "r", HelpURI: "docs/r.md"}}, want: `rule "r" help URI`},
		{name: "empty tool name", tool: sarif.Tool{Name: " "}, want: "tool name"},
		{name: "bad information uri", tool: sarif.Tool{Name: "t", InformationURI: "ftp://x"}, want: "information URI"},
		{name: "nil option", opts: []sarif.Option{nil}, want: "option 0 is nil"},
		{name: "empty category", opts: []sarif.Option{sarif.WithCategory("/")}, want: "category"},
		{name: "category with space", opts: []sarif.Option{sarif.WithCategory("a b")}, want: `category "a b"`},
		{name: "http source root", opts: []sarif.Option{sarif.WithSourceRoot("https://x/")}, want: "not a file:// URI"},
		{name: "relative source root", opts: []sarif.Option{sarif.WithSourceRoot("repo/")}, want: "not a file:// URI"},
		{name: "opaque source root", opts: []sarif.Option{sarif.WithSourceRoot("file:repo/")}, want: "not an absolute"},
		{name: "source root without slash", opts: []sarif.Option{sarif.WithSourceRoot("file:///repo")}, want: "does not end in /"},
		{name: "source root with dotdot", opts: []sarif.Option{sarif.WithSourceRoot("file:///repo/../x/")}, want: ".. segment"},
		{name: "zero invocation", opts: []sarif.Option{sarif.WithInvocation(true, time.Time{}, at)}, want: "must both be set"},
		{name: "bad default path", opts: []sarif.Option{sarif.WithDefaultPath("../x")}, want: `default path "../x"`},
		{name: "suppression kind", findings: with(func(f *finding.Finding) {
			f.Suppression = &finding.Suppression{Kind: "inline", Justification: "j", Source: "a.yml:1"}
		}), want: `suppression kind: expected "inSource" or "external", got "inline"`},
		{name: "backwards invocation", opts: []sarif.Option{sarif.WithInvocation(true, at, at.Add(-time.Second))}, want: "is before start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.tool == (sarif.Tool{}) {
				tt.tool = tool
			}
			if tt.rules == nil {
				tt.rules = basicRules
			}
			r, err := sarif.Build(tt.tool, tt.rules, tt.findings, tt.opts...)
			if err == nil {
				t.Fatalf("Build succeeded, want an error containing %q", tt.want)
			}
			if r != nil {
				t.Errorf("Build returned a report with its error")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "sarif: ") {
				t.Errorf("error %q does not start with \"sarif: \" and contain %q", err, tt.want)
			}
		})
	}
}

// TestSchemaRejectsBrokenLogs shows the validator can fail: each mutation of
// a valid log breaks a rule of the schema.
func TestSchemaRejectsBrokenLogs(t *testing.T) {
	good := build(t, basicRules, basicFindings)
	if err := validate(t, good); err != nil {
		t.Fatalf("the unbroken log is invalid: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(m map[string]any)
	}{
		{"unknown level", func(m map[string]any) {
			get(m, "runs", 0, "results", 0).(map[string]any)["level"] = "severe"
		}},
		{"missing version", func(m map[string]any) { delete(m, "version") }},
		{"wrong version", func(m map[string]any) { m["version"] = "2.0.0" }},
		{"startLine 0", func(m map[string]any) {
			get(m, "runs", 0, "results", 0, "locations", 0, "physicalLocation", "region").(map[string]any)["startLine"] = 0
		}},
		{"empty region", func(m map[string]any) {
			get(m, "runs", 0, "results", 0, "locations", 0, "physicalLocation").(map[string]any)["region"] = map[string]any{}
		}},
		{"driver without name", func(m map[string]any) {
			delete(get(m, "runs", 0, "tool", "driver").(map[string]any), "name")
		}},
		{"unknown result property", func(m map[string]any) {
			get(m, "runs", 0, "results", 0).(map[string]any)["severity"] = "high"
		}},
		{"non-string fingerprint", func(m map[string]any) {
			get(m, "runs", 0, "results", 0).(map[string]any)["partialFingerprints"] = map[string]any{"k": 1}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := decode(t, good)
			tt.mutate(m)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate(t, b); err == nil {
				t.Errorf("schema accepted a broken log:\n%s", b)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	a := build(t, basicRules, basicFindings, sarif.WithCategory("hub"))
	b := build(t, basicRules, basicFindings, sarif.WithCategory("hub"))
	if !bytes.Equal(a, b) {
		t.Fatal("two builds of the same input differ")
	}
	r, err := sarif.Build(tool, basicRules, basicFindings)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := sarif.Marshal(r)
	y, _ := sarif.Marshal(r)
	if !bytes.Equal(x, y) {
		t.Fatal("two marshals of one report differ")
	}
	if !bytes.HasSuffix(x, []byte("}\n")) || bytes.HasSuffix(x, []byte("\n\n")) {
		t.Errorf("output does not end in exactly one newline: %q", x[len(x)-5:])
	}
	if _, err := sarif.Marshal(nil); err == nil {
		t.Error("Marshal(nil) succeeded")
	}
}

func TestOrderKept(t *testing.T) {
	fs := []finding.Finding{
		{Rule: "no-policy", Message: "z", Path: "z.yml"},
		{Rule: "unpinned-uses", Message: "a", Path: "a.yml", Line: 9},
		{Rule: "unpinned-uses", Message: "b", Path: "a.yml", Line: 2},
	}
	r, err := sarif.Build(tool, basicRules, fs)
	if err != nil {
		t.Fatal(err)
	}
	for i, res := range r.Runs[0].Results {
		if got := deref(res.Message.Text); got != fs[i].Message {
			t.Errorf("result %d message = %q, want %q", i, got, fs[i].Message)
		}
	}
	if fs[0].Path != "z.yml" {
		t.Error("Build reordered its input")
	}
}

func TestGolden(t *testing.T) {
	start := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	got := build(t, basicRules, basicFindings,
		sarif.WithCategory("hub/pin"),
		sarif.WithSourceRoot("file:///home/runner/work/repo/repo/"),
		sarif.WithInvocation(true, start, start.Add(2*time.Second)),
	)
	if err := validate(t, got); err != nil {
		t.Fatalf("golden output is not valid SARIF: %v", err)
	}
	const golden = "testdata/basic.sarif.golden"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./shared/sarif -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./shared/sarif -update if the change is intended)\ngot:\n%s", golden, got)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hub.sarif")
	// A longer file already there must be replaced whole, not overwritten
	// in place (go-sarif's own Report.WriteFile does not truncate).
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), 1<<16), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := sarif.Build(tool, basicRules, basicFindings)
	if err != nil {
		t.Fatal(err)
	}
	if err := sarif.WriteFile(path, r); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := sarif.Marshal(r)
	if !bytes.Equal(got, want) {
		t.Error("file content differs from Marshal")
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, %v; want 0644", fi.Mode(), err)
	}
	assertOnlyFiles(t, dir, "hub.sarif")

	// A nil report fails before touching the file.
	if err := sarif.WriteFile(path, nil); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("WriteFile(nil) = %v, want an error naming %s", err, path)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, want) {
		t.Error("a failed WriteFile changed the existing file")
	}

	// A rename that fails (the target is a directory) leaves no temporary file.
	sub := filepath.Join(dir, "taken")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := sarif.WriteFile(sub, r); err == nil || !strings.Contains(err.Error(), sub) {
		t.Errorf("WriteFile onto a directory = %v, want an error naming %s", err, sub)
	}
	assertOnlyFiles(t, dir, "hub.sarif", "taken")

	// A missing directory fails with the path named.
	missing := filepath.Join(dir, "no", "such", "hub.sarif")
	if err := sarif.WriteFile(missing, r); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("WriteFile into a missing directory = %v, want an error naming %s", err, missing)
	}
}

func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !reflect.DeepEqual(got, names) {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}

// suppressedFindings are waived findings in every shape a gate produces: a
// configuration waiver, an inline waiver, a source without a line, and a
// tool's own suppression passed through with no justification or source.
var suppressedFindings = []finding.Finding{
	{
		Rule: "unpinned-uses", Severity: finding.High, Message: "actions/checkout@v4 is not pinned",
		Path: ".github/workflows/ci.yml", Line: 12, Col: 15, Fingerprint: "fp-1",
		Suppression: &finding.Suppression{Kind: "external", Justification: "vendor pins it upstream", Expires: "2026-03-31", Source: ".github/hub.yml:7"},
	},
	{
		Rule: "unpinned-uses", Severity: finding.High, Message: "actions/cache@v4 is not pinned",
		Path: ".github/workflows/ci.yml", Line: 13, Col: 15, Fingerprint: "fp-2",
		Suppression: &finding.Suppression{Kind: "inSource", Justification: "replaced next sprint", Expires: "2026-02-01", Source: ".github/workflows/ci.yml:13"},
	},
	{
		Rule: "broad-permissions", Severity: finding.Medium, Message: "write-all", Path: "a b.yml",
		Suppression: &finding.Suppression{Kind: "external", Justification: "release job", Expires: "2026-02-01", Source: "hub config.yml"},
	},
	{
		Rule: "no-policy", Severity: finding.Info, Message: "no policy",
		Suppression: &finding.Suppression{Kind: "inSource"},
	},
	{Rule: "unpinned-uses", Severity: finding.High, Message: "not waived", Path: "b.yml", Line: 1},
}

func TestSuppressions(t *testing.T) {
	b := build(t, basicRules, suppressedFindings)
	if err := validate(t, b); err != nil {
		t.Fatalf("log with suppressions is not valid SARIF: %v\n%s", err, b)
	}
	m := decode(t, b)
	results := get(m, "runs", 0, "results").([]any)
	if len(results) != len(suppressedFindings) {
		t.Fatalf("got %d results, want %d: waived findings must be kept", len(results), len(suppressedFindings))
	}
	guidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tests := []struct {
		kind, justification, expires string
		uri                          any
		line                         any
	}{
		{"external", "vendor pins it upstream", "2026-03-31", ".github/hub.yml", 7.0},
		{"inSource", "replaced next sprint", "2026-02-01", ".github/workflows/ci.yml", 13.0},
		{"external", "release job", "2026-02-01", "hub%20config.yml", nil},
		{"inSource", "", "", nil, nil},
	}
	guids := map[any]bool{}
	for i, tt := range tests {
		sups := get(results[i], "suppressions").([]any)
		if len(sups) != 1 {
			t.Fatalf("result %d: %d suppressions, want 1", i, len(sups))
		}
		s := sups[0]
		if get(s, "kind") != tt.kind || get(s, "status") != "accepted" || get(s, "justification") != tt.justification {
			t.Errorf("result %d: suppression = %v", i, s)
		}
		if tt.expires != "" && get(s, "properties", "expires") != tt.expires {
			t.Errorf("result %d: expires property = %v, want %s", i, get(s, "properties", "expires"), tt.expires)
		}
		if tt.expires == "" && get(s, "properties") != nil {
			t.Errorf("result %d: properties without an expiry: %v", i, get(s, "properties"))
		}
		pl := get(s, "location", "physicalLocation")
		if got := get(pl, "artifactLocation", "uri"); got != tt.uri {
			t.Errorf("result %d: suppression location uri = %v, want %v", i, got, tt.uri)
		}
		if got := get(pl, "region", "startLine"); got != tt.line {
			t.Errorf("result %d: suppression startLine = %v, want %v", i, got, tt.line)
		}
		g, _ := get(s, "guid").(string)
		if !guidRE.MatchString(g) || guids[g] {
			t.Errorf("result %d: guid %q is not a fresh version-5 UUID", i, g)
		}
		guids[g] = true
	}
	if get(results[4], "suppressions") != nil {
		t.Errorf("a finding without a suppression got one: %v", get(results[4], "suppressions"))
	}
	// The GUID is stable across runs and changes with the waiver.
	again := decode(t, build(t, basicRules, suppressedFindings))
	if get(again, "runs", 0, "results", 0, "suppressions", 0, "guid") != get(results[0], "suppressions", 0, "guid") {
		t.Error("the same waiver of the same finding got another GUID")
	}
	moved := slices.Clone(suppressedFindings[:1])
	sup := *moved[0].Suppression
	sup.Expires = "2026-04-30"
	moved[0].Suppression = &sup
	other := decode(t, build(t, basicRules, moved))
	if get(other, "runs", 0, "results", 0, "suppressions", 0, "guid") == get(results[0], "suppressions", 0, "guid") {
		t.Error("a renewed waiver kept the old GUID")
	}
	if suppressedFindings[0].Suppression.Expires != "2026-03-31" {
		t.Error("Build changed its input")
	}
	// What go-sarif writes for an unset field (null) breaks the schema:
	// the reason every field is set.
	for _, field := range []string{"guid", "location", "status", "justification"} {
		broken := decode(t, b)
		get(broken, "runs", 0, "results", 0, "suppressions", 0).(map[string]any)[field] = nil
		doc, err := json.Marshal(broken)
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(t, doc); err == nil {
			t.Errorf("schema accepted a suppression with %s null", field)
		}
	}
}

// TestSuppressionSourceOutsideRepository shows a waiver read from outside
// the repository (or from a source no file names) still suppresses its
// finding: the report keeps the source as text, with no location.
func TestSuppressionSourceOutsideRepository(t *testing.T) {
	for _, src := range []string{"/etc/hub.yml:3", "../hub.yml", ".", "./"} {
		f := basicFindings[0]
		f.Suppression = &finding.Suppression{Kind: "external", Justification: "j", Expires: "2026-03-01", Source: src}
		b := build(t, basicRules, []finding.Finding{f})
		if err := validate(t, b); err != nil {
			t.Fatalf("source %q: invalid SARIF: %v", src, err)
		}
		s := get(decode(t, b), "runs", 0, "results", 0, "suppressions", 0)
		if get(s, "location", "physicalLocation") != nil {
			t.Errorf("source %q: a location outside the source root: %v", src, get(s, "location"))
		}
		if get(s, "properties", "source") != src || get(s, "properties", "expires") != "2026-03-01" {
			t.Errorf("source %q: properties = %v", src, get(s, "properties"))
		}
	}
}
