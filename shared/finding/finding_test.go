package finding

import (
	"encoding/json"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct {
		f    Finding
		want string
	}{
		{Finding{Rule: "r", Message: "m", Path: "a.yml", Line: 3, Col: 7}, "a.yml:3:7: m [r]"},
		{Finding{Rule: "r", Message: "m", Path: "a.yml", Line: 3}, "a.yml:3: m [r]"},
		{Finding{Rule: "r", Message: "m", Path: "a.yml"}, "a.yml: m [r]"},
		{Finding{Rule: "r", Message: "m"}, "m [r]"},
	}
	for _, tt := range tests {
		if got := tt.f.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestFingerprintIgnoresLineButNotKey(t *testing.T) {
	a := Fingerprint("unpinned-uses", "ci.yml", "actions/checkout@v4")
	if a != Fingerprint("unpinned-uses", "ci.yml", "actions/checkout@v4") {
		t.Fatal("fingerprint is not deterministic")
	}
	for _, other := range []string{
		Fingerprint("unpinned-images", "ci.yml", "actions/checkout@v4"),
		Fingerprint("unpinned-uses", "cd.yml", "actions/checkout@v4"),
		Fingerprint("unpinned-uses", "ci.yml", "actions/checkout@v5"),
		// A separator keeps "ab"+"c" apart from "a"+"bc".
		Fingerprint("unpinned-uses", "ci.ym", "lactions/checkout@v4"),
	} {
		if other == a {
			t.Errorf("distinct findings share fingerprint %s", a)
		}
	}
}

func TestSeverityRoundTrip(t *testing.T) {
	for _, s := range Severities() {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Severity
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("round trip of %v gave %v, %v", s, back, err)
		}
	}
	if _, err := ParseSeverity("severe"); err == nil {
		t.Error("ParseSeverity accepted an unknown name")
	}
	if s, err := ParseSeverity(" High "); err != nil || s != High {
		t.Errorf("ParseSeverity(\" High \") = %v, %v", s, err)
	}
	if _, err := json.Marshal(Severity(9)); err == nil {
		t.Error("marshaling an out-of-range severity succeeded")
	}
}

func TestSortAndCount(t *testing.T) {
	fs := []Finding{
		{Rule: "b", Path: "z.yml", Line: 1, Severity: Low},
		{Rule: "a", Path: "a.yml", Line: 9, Severity: High},
		{Rule: "a", Path: "a.yml", Line: 2, Severity: Critical},
	}
	Sort(fs)
	if fs[0].Line != 2 || fs[1].Line != 9 || fs[2].Path != "z.yml" {
		t.Errorf("Sort gave %v", fs)
	}
	if n := CountAtLeast(fs, High); n != 2 {
		t.Errorf("CountAtLeast(High) = %d, want 2", n)
	}
	fs[0].Suppression = &Suppression{Kind: "external", Justification: "accepted", Expires: "2026-12-31"}
	if n := CountAtLeast(fs, High); n != 1 {
		t.Errorf("CountAtLeast(High) with one waived = %d, want 1", n)
	}
}
