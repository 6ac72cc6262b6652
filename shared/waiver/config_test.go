package waiver_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/waiver"
)

// now is the clock of every test: 2026-01-15 10:00 UTC. With the default
// 90 days, the latest expiry accepted is 2026-04-15.
var now = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

func policy(t *testing.T, opts ...waiver.Option) *waiver.Policy {
	t.Helper()
	p, err := waiver.NewPolicy(now, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func day(s string) time.Time {
	d, err := time.Parse(waiver.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return d
}

const goodConfig = `version: 1
workflow-audit:
  rules:
    invalid-workflow:
      enabled: false
    unpinned-images:
      severity: Medium
    unpinned-uses:
      enabled: true
  waivers:
    - rule: unpinned-uses
      path: .github/workflows/*.yml
      line: 14
      job: build
      reason: "vendor publishes no SHA"
      expires: 2026-04-15
    - fingerprint: 0123abcd
      reason: accepted risk, see issue 12
      expires: '2025-12-31'
sarif-gate:
  waivers:
    - path: vendor/**
      rule: "py/*"
      reason: third-party code
      expires: 2026-02-01
cache-sentinel:
`

func TestParseGoodConfig(t *testing.T) {
	cfg, err := policy(t).Parse(".github/hub.yml", []byte(goodConfig))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Version != 1 || cfg.Name != ".github/hub.yml" {
		t.Errorf("config = %+v", cfg)
	}
	wa := cfg.Gate("workflow-audit")
	if len(wa.Rules) != 3 || !wa.Rules[0].Disabled || wa.Rules[0].Rule != "invalid-workflow" ||
		wa.Rules[1].Severity == nil || *wa.Rules[1].Severity != finding.Medium || wa.Rules[2].Disabled || wa.Rules[2].Severity != nil {
		t.Errorf("rules = %+v", wa.Rules)
	}
	if wa.Rules[1].Source != (waiver.Position{Path: ".github/hub.yml", Line: 6, Col: 5}) {
		t.Errorf("rule source = %+v", wa.Rules[1].Source)
	}
	want := waiver.Waiver{
		Kind: waiver.KindExternal, Rule: "unpinned-uses", Path: ".github/workflows/*.yml", Line: 14, Job: "build",
		Reason: "vendor publishes no SHA", Expires: day("2026-04-15"),
		Source: waiver.Position{Path: ".github/hub.yml", Line: 11, Col: 7},
	}
	if len(wa.Waivers) != 2 || wa.Waivers[0] != want {
		t.Fatalf("waivers = %+v\nwant first %+v", wa.Waivers, want)
	}
	// An expired waiver is accepted: Apply reports it.
	if w := wa.Waivers[1]; w.Fingerprint != "0123abcd" || w.ExpiresOn() != "2025-12-31" || w.Source.Line != 17 {
		t.Errorf("second waiver = %+v", w)
	}
	sg := cfg.Gate("sarif-gate")
	if len(sg.Waivers) != 1 || sg.Waivers[0].Rule != "py/*" || sg.Waivers[0].Path != "vendor/**" {
		t.Errorf("sarif-gate = %+v", sg)
	}
	if cs := cfg.Gate("cache-sentinel"); len(cs.Rules)+len(cs.Waivers) != 0 || cs.Gate != "cache-sentinel" {
		t.Errorf("empty section = %+v", cs)
	}
	if none := cfg.Gate("sign"); none.Gate != "sign" || none.Waivers != nil {
		t.Errorf("missing section = %+v", none)
	}
	var nilCfg *waiver.Config
	if g := nilCfg.Gate("workflow-audit"); g.Gate != "workflow-audit" || len(g.Waivers) != 0 {
		t.Errorf("nil config section = %+v", g)
	}
}

func TestParseErrors(t *testing.T) {
	const head = "version: 1\nworkflow-audit:\n  waivers:\n"
	waiverWith := func(lines ...string) string {
		return head + "    - " + strings.Join(lines, "\n      ") + "\n"
	}
	ok := []string{"rule: unpinned-uses", "path: a.yml", "reason: r", "expires: 2026-02-01"}
	tests := []struct {
		name string
		src  string
		is   error
		want string // the whole message of the first (or only) problem
	}{
		{"empty file", "", waiver.ErrMissing, `hub.yml: missing value: the file is empty; start it with "version: 1"`},
		{"only a comment", "# nothing\n", waiver.ErrMissing, `hub.yml: missing value: the file is empty; start it with "version: 1"`},
		{"syntax", "version: 1\nworkflow-audit: [\n", waiver.ErrSyntax, "hub.yml:2: invalid configuration syntax: did not find expected node content"},
		{"two documents", "version: 1\n---\nversion: 1\n", waiver.ErrSyntax, "hub.yml:2: invalid configuration syntax: the file holds more than one YAML document"},
		{"alias", "version: 1\nworkflow-audit: &a\n  waivers: []\nsarif-gate: *a\n", waiver.ErrSyntax, "hub.yml:2: invalid configuration syntax: anchors and aliases are not supported; write each value out"},
		{"not a mapping", "- version: 1\n", waiver.ErrSyntax, "hub.yml:1: invalid configuration syntax: the configuration: expected a mapping, got a list"},
		{"missing version", "workflow-audit:\n", waiver.ErrMissing, `hub.yml:1: missing value: version: expected "version: 1" at the top of the file`},
		{"version 2", "version: 2\n", waiver.ErrVersion, `hub.yml:1: unsupported configuration version: expected "1", got "2"`},
		{"version as string", "version: \"1\"\n", waiver.ErrVersion, `hub.yml:1: unsupported configuration version: expected "1", got "1"`},
		{"unknown gate", "version: 1\nworkflow-audti:\n", waiver.ErrUnknownKey, `hub.yml:2: unknown key "workflow-audti" in the configuration: expected one of version, ` + strings.Join(waiver.Gates, ", ")},
		{"duplicate key", "version: 1\nversion: 1\n", waiver.ErrSyntax, `hub.yml:2: invalid configuration syntax: the configuration: key "version" is given twice (first on line 1)`},
		{"unknown section key", "version: 1\nworkflow-audit:\n  waiver: []\n", waiver.ErrUnknownKey, `hub.yml:3: unknown key "waiver" in section "workflow-audit": expected one of rules, waivers`},
		{"section is a list", "version: 1\nworkflow-audit: []\n", waiver.ErrSyntax, `hub.yml:2: invalid configuration syntax: section "workflow-audit": expected a mapping, got a list`},
		{"waivers not a list", head[:len(head)-1] + " {}\n", waiver.ErrSyntax, "hub.yml:3: invalid configuration syntax: workflow-audit.waivers: expected a list, got a mapping"},
		{"rules not a mapping", "version: 1\nworkflow-audit:\n  rules: [x]\n", waiver.ErrSyntax, "hub.yml:3: invalid configuration syntax: workflow-audit.rules: expected a mapping, got a list"},
		{"unknown rule key", "version: 1\nworkflow-audit:\n  rules:\n    x:\n      disabled: true\n", waiver.ErrUnknownKey, `hub.yml:5: unknown key "disabled" in workflow-audit.rules.x: expected one of enabled, severity`},
		{"empty rule setting", "version: 1\nworkflow-audit:\n  rules:\n    x: {}\n", waiver.ErrMissing, "hub.yml:4: missing value: workflow-audit.rules.x: set enabled: false or a severity"},
		{"rule pattern", "version: 1\nworkflow-audit:\n  rules:\n    \"x*\": {enabled: false}\n", waiver.ErrBadValue, `hub.yml:4: invalid value: workflow-audit.rules: expected a rule id, got "x*"`},
		{"enabled no", "version: 1\nworkflow-audit:\n  rules:\n    x:\n      enabled: no\n", waiver.ErrBadValue, `hub.yml:5: invalid value: workflow-audit.rules.x.enabled: expected true or false, got "no"`},
		{"bad severity", "version: 1\nworkflow-audit:\n  rules:\n    x:\n      severity: severe\n", waiver.ErrBadValue, `hub.yml:5: invalid value: workflow-audit.rules.x.severity: unknown severity "severe" (want one of info, low, medium, high, critical)`},
		{"disabled with severity", "version: 1\nworkflow-audit:\n  rules:\n    x:\n      enabled: false\n      severity: low\n", waiver.ErrBadValue, "hub.yml:6: invalid value: workflow-audit.rules.x: a disabled rule takes no severity"},
		{"unknown waiver key", waiverWith(append(ok, "lines: 3")...), waiver.ErrUnknownKey, `hub.yml:8: unknown key "lines" in workflow-audit.waivers[0]: expected one of rule, path, line, job, fingerprint, reason, expires`},
		{"waiver is a string", head + "    - unpinned-uses\n", waiver.ErrSyntax, `hub.yml:4: invalid configuration syntax: workflow-audit.waivers[0]: expected a mapping, got "unpinned-uses"`},
		{"bad month", waiverWith("rule: x", "reason: r", "expires: 2026-13-01"), waiver.ErrBadValue, `hub.yml:6: workflow-audit.waivers[0].expires: invalid value: expected a date as YYYY-MM-DD, got "2026-13-01"`},
		{"no such day", waiverWith("rule: x", "reason: r", "expires: 2026-02-30"), waiver.ErrBadValue, `hub.yml:6: workflow-audit.waivers[0].expires: invalid value: expected a date as YYYY-MM-DD, got "2026-02-30"`},
		{"date with time", waiverWith("rule: x", "reason: r", "expires: 2026-02-01T00:00:00Z"), waiver.ErrBadValue, `hub.yml:6: workflow-audit.waivers[0].expires: invalid value: expected a date as YYYY-MM-DD, got "2026-02-01T00:00:00Z"`},
		{"short date", waiverWith("rule: x", "reason: r", "expires: 2026-2-1"), waiver.ErrBadValue, `hub.yml:6: workflow-audit.waivers[0].expires: invalid value: expected a date as YYYY-MM-DD, got "2026-2-1"`},
		{"no expires", waiverWith("rule: x", "reason: r"), waiver.ErrMissing, "hub.yml:4: workflow-audit.waivers[0]: missing value: expires: give the last day the waiver holds, as YYYY-MM-DD"},
		{"no reason", waiverWith("rule: x", "expires: 2026-02-01"), waiver.ErrMissing, "hub.yml:4: workflow-audit.waivers[0]: missing value: reason: say why the finding is accepted"},
		{"blank reason", waiverWith("rule: x", "reason: '  '", "expires: 2026-02-01"), waiver.ErrMissing, "hub.yml:4: workflow-audit.waivers[0]: missing value: reason: say why the finding is accepted"},
		{"null reason", waiverWith("rule: x", "reason:", "expires: 2026-02-01"), waiver.ErrBadValue, "hub.yml:5: invalid value: workflow-audit.waivers[0].reason: expected a value, got nothing"},
		{"no selector", waiverWith("reason: r", "expires: 2026-02-01"), waiver.ErrMissing, "hub.yml:4: workflow-audit.waivers[0]: missing value: a waiver needs at least one of rule, path and fingerprint"},
		{"line without path", waiverWith("rule: x", "line: 3", "reason: r", "expires: 2026-02-01"), waiver.ErrMissing, "hub.yml:4: workflow-audit.waivers[0]: missing value: line 3 needs a path"},
		{"line zero", waiverWith("rule: x", "path: a.yml", "line: 0", "reason: r", "expires: 2026-02-01"), waiver.ErrBadValue, `hub.yml:6: invalid value: workflow-audit.waivers[0].line: expected a line number (1 or more), got "0"`},
		{"line text", waiverWith("rule: x", "path: a.yml", "line: ten", "reason: r", "expires: 2026-02-01"), waiver.ErrBadValue, `hub.yml:6: invalid value: workflow-audit.waivers[0].line: expected a line number (1 or more), got "ten"`},
		{"job without path", waiverWith("rule: x", "job: build", "reason: r", "expires: 2026-02-01"), waiver.ErrMissing, `hub.yml:4: workflow-audit.waivers[0]: missing value: job "build" needs a path (the workflow it is in)`},
		{"bad job id", waiverWith("rule: x", "path: a.yml", "job: 1build", "reason: r", "expires: 2026-02-01"), waiver.ErrBadValue, `hub.yml:4: workflow-audit.waivers[0]: invalid value: job "1build" is not a job id (letters, digits, _ and -, not starting with a digit or -)`},
		{"bad glob", waiverWith("rule: x", "path: 'a/[b.yml'", "reason: r", "expires: 2026-02-01"), waiver.ErrBadValue, `hub.yml:4: workflow-audit.waivers[0]: invalid value: path "a/[b.yml" is not a valid glob`},
		{"absolute path", waiverWith("rule: x", "path: /etc/a.yml", "reason: r", "expires: 2026-02-01"), waiver.ErrBadValue, `hub.yml:4: workflow-audit.waivers[0]: invalid value: path "/etc/a.yml": want a repository-relative path with forward slashes and no ..`},
		{"dotdot path", waiverWith("rule: x", "path: a/../../b.yml", "reason: r", "expires: 2026-02-01"), waiver.ErrBadValue, `hub.yml:4: workflow-audit.waivers[0]: invalid value: path "a/../../b.yml": want a repository-relative path with forward slashes and no ..`},
		{"rule with space", waiverWith("rule: a b", "reason: r", "expires: 2026-02-01"), waiver.ErrBadValue, `hub.yml:4: workflow-audit.waivers[0]: invalid value: rule "a b" contains a space`},
		{"too long", waiverWith("rule: x", "reason: r", "expires: 2026-04-16"), waiver.ErrTooLong,
			`hub.yml:6: workflow-audit.waivers[0]: waiver runs longer than allowed: expected expires on or before "2026-04-15" (90 days from 2026-01-15), got "2026-04-16" (91 days)`},
		{"far too long", waiverWith("rule: x", "reason: r", "expires: 2099-12-31"), waiver.ErrTooLong,
			`hub.yml:6: workflow-audit.waivers[0]: waiver runs longer than allowed: expected expires on or before "2026-04-15" (90 days from 2026-01-15), got "2099-12-31" (27013 days)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := policy(t).Parse("hub.yml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse accepted:\n%s\ngot %+v", tt.src, cfg)
			}
			if cfg != nil {
				t.Error("Parse returned a config with its error")
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("error %q does not wrap %v", err, tt.is)
			}
			var pe *waiver.ParseError
			if !errors.As(err, &pe) || pe.Path != "hub.yml" {
				t.Errorf("error %q is not a *ParseError naming hub.yml", err)
			}
			first, _, _ := strings.Cut(err.Error(), "\n")
			if first != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", first, tt.want)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	src := `version: 1
workflow-audit:
  rules:
    x: {severity: severe}
  waivers:
    - rule: x
      expires: 2026-02-01
    - rule: y
      reason: r
      expires: 2027-01-01
sarif-gate:
  waiverz: []
`
	_, err := policy(t).Parse("hub.yml", []byte(src))
	if err == nil {
		t.Fatal("Parse accepted a file with three problems")
	}
	for _, want := range []string{"hub.yml:4: ", "hub.yml:6: ", "hub.yml:10: ", "hub.yml:12: "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks a problem at %q:\n%v", want, err)
		}
	}
}

func TestMaxDaysBoundary(t *testing.T) {
	cfg := func(expires string) string {
		return "version: 1\nworkflow-audit:\n  waivers:\n    - rule: x\n      reason: r\n      expires: " + expires + "\n"
	}
	tests := []struct {
		max     int
		expires string
		ok      bool
	}{
		{90, "2026-04-15", true}, // exactly 90 days after 2026-01-15
		{90, "2026-04-16", false},
		{1, "2026-01-16", true},
		{1, "2026-01-17", false},
		{1, "2026-01-15", true}, // today
		{365, "2027-01-15", true},
		{365, "2027-01-16", false},
	}
	for _, tt := range tests {
		_, err := policy(t, waiver.WithMaxDays(tt.max)).Parse("hub.yml", []byte(cfg(tt.expires)))
		if (err == nil) != tt.ok {
			t.Errorf("max %d, expires %s: err = %v, want ok=%t", tt.max, tt.expires, err, tt.ok)
		}
		if err != nil && !errors.Is(err, waiver.ErrTooLong) {
			t.Errorf("max %d, expires %s: %v does not wrap ErrTooLong", tt.max, tt.expires, err)
		}
	}
}
