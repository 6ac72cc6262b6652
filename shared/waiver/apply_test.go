package waiver_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/waiver"
)

func TestNewPolicy(t *testing.T) {
	if _, err := waiver.NewPolicy(time.Time{}); err == nil {
		t.Error("NewPolicy accepted the zero time")
	}
	for _, n := range []int{0, -1} {
		if _, err := waiver.NewPolicy(now, waiver.WithMaxDays(n)); !errors.Is(err, waiver.ErrBadValue) {
			t.Errorf("WithMaxDays(%d) = %v, want ErrBadValue", n, err)
		}
	}
	if _, err := waiver.NewPolicy(now, nil); err == nil {
		t.Error("NewPolicy accepted a nil option")
	}
	p := policy(t)
	if p.Today() != "2026-01-15" || p.MaxDays() != waiver.DefaultMaxDays || p.Latest() != day("2026-04-15") {
		t.Errorf("policy today %s, max %d, latest %s", p.Today(), p.MaxDays(), p.Latest())
	}
	// "Today" is the UTC date: 20:00 in New York on the 14th is the 15th.
	ny := time.FixedZone("EST", -5*3600)
	p, err := waiver.NewPolicy(time.Date(2026, 1, 14, 20, 0, 0, 0, ny))
	if err != nil || p.Today() != "2026-01-15" {
		t.Errorf("today from a non-UTC clock = %s, %v", p.Today(), err)
	}
}

func TestExpiredAtEndOfDayUTC(t *testing.T) {
	w := waiver.Waiver{Expires: day("2026-03-31")}
	tests := []struct {
		now     time.Time
		expired bool
	}{
		{time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 3, 31, 23, 59, 59, 999999999, time.UTC), false},
		{time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 4, 1, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600)), false},  // 23:00 UTC on the 31st
		{time.Date(2026, 3, 31, 20, 0, 0, 0, time.FixedZone("EDT", -4*3600)), true}, // 00:00 UTC on the 1st
	}
	for _, tt := range tests {
		p, err := waiver.NewPolicy(tt.now)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Expired(w); got != tt.expired {
			t.Errorf("at %s: Expired = %t, want %t", tt.now.Format(time.RFC3339Nano), got, tt.expired)
		}
	}
}

func TestCheck(t *testing.T) {
	good := waiver.Waiver{Kind: waiver.KindExternal, Rule: "r", Reason: "why", Expires: day("2026-02-01")}
	with := func(mod func(*waiver.Waiver)) waiver.Waiver {
		w := good
		mod(&w)
		return w
	}
	tests := []struct {
		name string
		w    waiver.Waiver
		is   error
	}{
		{"good", good, nil},
		{"path only", with(func(w *waiver.Waiver) { w.Rule, w.Path = "", "vendor/**" }), nil},
		{"fingerprint only", with(func(w *waiver.Waiver) { w.Rule, w.Fingerprint = "", "abc" }), nil},
		{"already expired", with(func(w *waiver.Waiver) { w.Expires = day("2020-01-01") }), nil},
		{"bad kind", with(func(w *waiver.Waiver) { w.Kind = "inline" }), waiver.ErrBadValue},
		{"negative line", with(func(w *waiver.Waiver) { w.Path, w.Line = "a.yml", -2 }), waiver.ErrBadValue},
		{"fingerprint with space", with(func(w *waiver.Waiver) { w.Fingerprint = "a b" }), waiver.ErrBadValue},
		{"backslash path", with(func(w *waiver.Waiver) { w.Path = `a\b.yml` }), waiver.ErrBadValue},
		{"trailing backslash", with(func(w *waiver.Waiver) { w.Path = `a\` }), waiver.ErrBadValue},
		{"escaped glob character", with(func(w *waiver.Waiver) { w.Path = `a\[1\].yml` }), nil},
		{"zero expiry", with(func(w *waiver.Waiver) { w.Expires = time.Time{} }), waiver.ErrMissing},
		{"too long", with(func(w *waiver.Waiver) { w.Expires = day("2026-04-16") }), waiver.ErrTooLong},
	}
	for _, tt := range tests {
		err := policy(t).Check(tt.w)
		if tt.is == nil && err != nil || tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: Check = %v, want %v", tt.name, err, tt.is)
		}
	}
}

// f makes a finding for the matching tests.
func f(rule, path string, line int, fp string) finding.Finding {
	return finding.Finding{Rule: rule, Severity: finding.High, Message: rule + " here", Path: path, Line: line, Fingerprint: fp}
}

func TestMatches(t *testing.T) {
	jobs := []waiver.JobSpan{
		{Path: ".github/workflows/ci.yml", Job: "build", Start: 5, End: 20},
		{Path: ".github/workflows/ci.yml", Job: "test", Start: 21, End: 30},
		{Path: ".github/workflows/cd.yml", Job: "build", Start: 3, End: 9},
	}
	ci := f("unpinned-uses", ".github/workflows/ci.yml", 12, "fp-ci-12")
	tests := []struct {
		name string
		w    waiver.Waiver
		f    finding.Finding
		want bool
	}{
		{"rule", waiver.Waiver{Rule: "unpinned-uses"}, ci, true},
		{"other rule", waiver.Waiver{Rule: "unpinned-images"}, ci, false},
		{"rule prefix is not a match", waiver.Waiver{Rule: "unpinned"}, ci, false},
		{"rule wildcard", waiver.Waiver{Rule: "unpinned-*"}, ci, true},
		{"rule wildcard inside", waiver.Waiver{Rule: "un*-u*s"}, ci, true},
		{"rule wildcard miss", waiver.Waiver{Rule: "*-images"}, ci, false},
		{"rule wildcard across slash", waiver.Waiver{Rule: "py/*"}, f("py/sql/injection", "a.py", 1, ""), true},
		{"rule star", waiver.Waiver{Rule: "*"}, ci, true},
		{"path exact", waiver.Waiver{Path: ".github/workflows/ci.yml"}, ci, true},
		{"path glob", waiver.Waiver{Path: ".github/workflows/*.yml"}, ci, true},
		{"path glob no recursion", waiver.Waiver{Path: ".github/*.yml"}, ci, false},
		{"path doublestar", waiver.Waiver{Path: ".github/**"}, ci, true},
		{"path braces", waiver.Waiver{Path: ".github/workflows/{cd,ci}.yml"}, ci, true},
		{"path other", waiver.Waiver{Path: ".github/workflows/cd.yml"}, ci, false},
		{"line", waiver.Waiver{Path: ci.Path, Line: 12}, ci, true},
		{"other line", waiver.Waiver{Path: ci.Path, Line: 13}, ci, false},
		{"fingerprint", waiver.Waiver{Fingerprint: "fp-ci-12"}, ci, true},
		{"other fingerprint", waiver.Waiver{Fingerprint: "fp-ci-13"}, ci, false},
		{"job", waiver.Waiver{Path: ci.Path, Job: "build"}, ci, true},
		{"job case-insensitive", waiver.Waiver{Path: ci.Path, Job: "BUILD"}, ci, true},
		{"job first line", waiver.Waiver{Path: ci.Path, Job: "build"}, f("r", ci.Path, 5, ""), true},
		{"job last line", waiver.Waiver{Path: ci.Path, Job: "build"}, f("r", ci.Path, 20, ""), true},
		{"next job", waiver.Waiver{Path: ci.Path, Job: "build"}, f("r", ci.Path, 21, ""), false},
		{"before the job", waiver.Waiver{Path: ci.Path, Job: "build"}, f("r", ci.Path, 4, ""), false},
		{"same job id, other file", waiver.Waiver{Path: "**", Job: "build"}, f("r", ".github/workflows/cd.yml", 12, ""), false},
		{"job in glob file", waiver.Waiver{Path: "**", Job: "build"}, f("r", ".github/workflows/cd.yml", 4, ""), true},
		{"job, finding without line", waiver.Waiver{Path: ci.Path, Job: "build"}, f("r", ci.Path, 0, ""), false},
		{"all selectors", waiver.Waiver{Rule: "unpinned-uses", Path: ci.Path, Line: 12, Job: "build", Fingerprint: "fp-ci-12"}, ci, true},
		{"all selectors, one wrong", waiver.Waiver{Rule: "unpinned-uses", Path: ci.Path, Line: 12, Job: "test", Fingerprint: "fp-ci-12"}, ci, false},
	}
	for _, tt := range tests {
		if got := tt.w.Matches(tt.f, jobs); got != tt.want {
			t.Errorf("%s: Matches = %t, want %t", tt.name, got, tt.want)
		}
	}
	if (waiver.Waiver{Path: ci.Path, Job: "build"}).Matches(ci, nil) {
		t.Error("a job waiver matched without job spans")
	}
}

func TestApply(t *testing.T) {
	ext := func(rule, path string, line int, expires string, srcLine int) waiver.Waiver {
		return waiver.Waiver{Kind: waiver.KindExternal, Rule: rule, Path: path, Line: line, Reason: "because " + rule,
			Expires: day(expires), Source: waiver.Position{Path: ".github/hub.yml", Line: srcLine, Col: 7}}
	}
	fs := []finding.Finding{
		f("unpinned-uses", "ci.yml", 3, "a"),
		f("unpinned-uses", "ci.yml", 9, "b"),
		f("unpinned-images", "ci.yml", 12, "c"),
		f("invalid-workflow", "cd.yml", 1, "d"),
	}
	preSuppressed := f("unpinned-images", "vendor.yml", 2, "e")
	preSuppressed.Suppression = &finding.Suppression{Kind: waiver.KindInSource, Justification: "the tool's own"}
	fs = append(fs, preSuppressed)
	inline := waiver.Waiver{Kind: waiver.KindInSource, Rule: "unpinned-uses", Path: "ci.yml", Line: 3, Reason: "inline reason",
		Expires: day("2026-01-15"), Source: waiver.Position{Path: "ci.yml", Line: 3, Col: 30}}
	ws := []waiver.Waiver{
		inline,
		ext("unpinned-uses", "ci.yml", 0, "2026-03-01", 5),        // also matches line 3: used, not recorded there
		ext("unpinned-images", "ci.yml", 0, "2026-01-14", 10),     // expired yesterday: waives nothing
		ext("invalid-workflow", "nope.yml", 0, "2026-03-01", 15),  // unused
		ext("unpinned-images", "vendor.yml", 0, "2026-03-01", 20), // only matches an already-suppressed finding: unused
		ext("gone", "x.yml", 0, "2025-06-01", 25),                 // expired and matching nothing
	}
	before := append([]finding.Finding(nil), fs...)
	out, meta := policy(t).Apply(fs, ws, nil)
	if !reflect.DeepEqual(fs, before) {
		t.Error("Apply changed its input")
	}
	if len(out) != len(fs) {
		t.Fatalf("Apply returned %d findings for %d: waived findings must be kept", len(out), len(fs))
	}
	wantSup := []*finding.Suppression{
		{Kind: "inSource", Justification: "inline reason", Expires: "2026-01-15", Source: "ci.yml:3"},
		{Kind: "external", Justification: "because unpinned-uses", Expires: "2026-03-01", Source: ".github/hub.yml:5"},
		nil,
		nil,
		preSuppressed.Suppression,
	}
	for i, want := range wantSup {
		if !reflect.DeepEqual(out[i].Suppression, want) {
			t.Errorf("finding %d suppression = %+v, want %+v", i, out[i].Suppression, want)
		}
	}
	if n := finding.CountAtLeast(out, finding.High); n != 2 {
		t.Errorf("%d findings still deny, want 2 (the expired waiver's and the unwaived one)", n)
	}
	type m struct {
		rule string
		line int
		msg  string
	}
	var got []m
	for _, x := range meta {
		if x.Path != ".github/hub.yml" || x.Col != 7 || x.Fingerprint == "" {
			t.Errorf("meta finding not placed at its waiver: %+v", x)
		}
		got = append(got, m{x.Rule, x.Line, x.Message})
	}
	want := []m{
		{"expired-waiver", 10, `waiver (rule "unpinned-images", path "ci.yml") expired on 2026-01-14 (reason: "because unpinned-images") and no longer waives anything; the 1 finding it matches is reported again`},
		{"unused-waiver", 15, `waiver (rule "invalid-workflow", path "nope.yml") matches no finding; delete it if the finding was fixed, or correct its selectors (it expires 2026-03-01)`},
		{"unused-waiver", 20, `waiver (rule "unpinned-images", path "vendor.yml") matches no finding; delete it if the finding was fixed, or correct its selectors (it expires 2026-03-01)`},
		{"expired-waiver", 25, `waiver (rule "gone", path "x.yml") expired on 2025-06-01 (reason: "because gone") and no longer waives anything; it matches no finding either, so delete it`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("meta findings:\n%+v\nwant\n%+v", got, want)
	}
	for _, x := range meta {
		wantSev := map[string]finding.Severity{"expired-waiver": waiver.ExpiredRule.Severity, "unused-waiver": waiver.UnusedRule.Severity}[x.Rule]
		if x.Severity != wantSev {
			t.Errorf("%s severity %v, want %v", x.Rule, x.Severity, wantSev)
		}
	}
}

func TestApplyCountsEveryExpiredMatch(t *testing.T) {
	w := waiver.Waiver{Kind: waiver.KindExternal, Rule: "r", Reason: "x", Expires: day("2026-01-01"), Source: waiver.Position{Path: "hub.yml", Line: 4}}
	_, meta := policy(t).Apply([]finding.Finding{f("r", "a", 1, "1"), f("r", "b", 1, "2")}, []waiver.Waiver{w}, nil)
	if len(meta) != 1 || !strings.HasSuffix(meta[0].Message, "the 2 findings it matches are reported again") {
		t.Errorf("meta = %+v", meta)
	}
}

func TestApplyJobWaiver(t *testing.T) {
	jobs := []waiver.JobSpan{{Path: "ci.yml", Job: "release", Start: 10, End: 30}}
	w := waiver.Waiver{Kind: waiver.KindExternal, Rule: "unpinned-uses", Path: "ci.yml", Job: "release", Reason: "r",
		Expires: day("2026-02-01"), Source: waiver.Position{Path: "hub.yml", Line: 4}}
	out, meta := policy(t).Apply([]finding.Finding{f("unpinned-uses", "ci.yml", 8, "x"), f("unpinned-uses", "ci.yml", 15, "y")}, []waiver.Waiver{w}, jobs)
	if out[0].Suppressed() || !out[1].Suppressed() || len(meta) != 0 {
		t.Errorf("job waiver: out %+v, meta %+v", out, meta)
	}
}

func TestMetaFingerprintSurvivesMoves(t *testing.T) {
	w := waiver.Waiver{Kind: waiver.KindExternal, Rule: "r", Path: "a.yml", Reason: "x", Expires: day("2026-02-01"), Source: waiver.Position{Path: "hub.yml", Line: 4}}
	moved := w
	moved.Source.Line = 40
	other := w
	other.Path = "b.yml"
	_, m1 := policy(t).Apply(nil, []waiver.Waiver{w, moved, other}, nil)
	if len(m1) != 3 || m1[0].Fingerprint != m1[1].Fingerprint || m1[0].Fingerprint == m1[2].Fingerprint {
		t.Errorf("fingerprints: %q %q %q", m1[0].Fingerprint, m1[1].Fingerprint, m1[2].Fingerprint)
	}
}

func TestAdjust(t *testing.T) {
	low := finding.Low
	g := waiver.GateConfig{Gate: "workflow-audit", Rules: []waiver.RuleSetting{
		{Rule: "invalid-workflow", Disabled: true},
		{Rule: "unpinned-images", Severity: &low},
		{Rule: "unused-waiver", Disabled: true},
	}}
	fs := []finding.Finding{
		f("unpinned-uses", "a", 1, ""), f("invalid-workflow", "a", 2, ""), f("unpinned-images", "a", 3, ""), f("unused-waiver", "h", 4, ""),
	}
	out := g.Adjust(fs)
	if len(out) != 2 || out[0].Rule != "unpinned-uses" || out[0].Severity != finding.High || out[1].Rule != "unpinned-images" || out[1].Severity != finding.Low {
		t.Errorf("Adjust = %+v", out)
	}
	if fs[2].Severity != finding.High || len(fs) != 4 {
		t.Error("Adjust changed its input")
	}
	if out := (waiver.GateConfig{}).Adjust(fs); !reflect.DeepEqual(out, fs) {
		t.Error("an empty section changed findings")
	}
}

func TestCheckRules(t *testing.T) {
	known := append([]finding.Rule{{ID: "unpinned-uses"}, {ID: "invalid-workflow"}}, waiver.Rules("")...)
	g := waiver.GateConfig{Gate: "workflow-audit",
		Rules: []waiver.RuleSetting{
			{Rule: "unpinned-uses", Disabled: true},
			{Rule: "unpined-uses", Disabled: true, Source: waiver.Position{Path: "hub.yml", Line: 4}},
			{Rule: "unused-waiver", Disabled: true},
		},
		Waivers: []waiver.Waiver{
			{Rule: "invalid-workflow"},
			{Rule: "unpinned-*"}, // a pattern is not checked
			{Path: "a.yml"},
			{Rule: "invalid-workflows", Source: waiver.Position{Path: "hub.yml", Line: 9}},
		},
	}
	err := g.CheckRules(known)
	if !errors.Is(err, waiver.ErrUnknownRule) {
		t.Fatalf("CheckRules = %v, want ErrUnknownRule", err)
	}
	want := `hub.yml:4: unknown rule: workflow-audit.rules: expected one of expired-waiver, invalid-waiver, invalid-workflow, unpinned-uses, unused-waiver, got "unpined-uses"` + "\n" +
		`hub.yml:9: unknown rule: workflow-audit.waivers[3].rule: expected one of expired-waiver, invalid-waiver, invalid-workflow, unpinned-uses, unused-waiver, got "invalid-workflows"`
	if err.Error() != want {
		t.Errorf("CheckRules error\n got: %s\nwant: %s", err, want)
	}
	g.Rules, g.Waivers = g.Rules[:1], g.Waivers[:3]
	if err := g.CheckRules(known); err != nil {
		t.Errorf("CheckRules of known rules = %v", err)
	}
}

func TestRules(t *testing.T) {
	rs := waiver.Rules("https://example.com/readme#")
	if len(rs) != 3 {
		t.Fatalf("Rules = %+v", rs)
	}
	for _, r := range rs {
		if r.HelpURI != "https://example.com/readme#"+r.ID || r.Summary == "" || r.Help == "" {
			t.Errorf("rule %+v", r)
		}
	}
	if waiver.ExpiredRule.HelpURI != "" {
		t.Error("Rules changed the exported rule")
	}
	if waiver.InvalidRule.Severity != finding.High || waiver.UnusedRule.Severity != finding.Medium || waiver.ExpiredRule.Severity != finding.Medium {
		t.Error("waiver rule severities changed: update the docs with them")
	}
}
