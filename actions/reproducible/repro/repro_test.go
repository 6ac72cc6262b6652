package repro

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestCompareContentAcrossChunks(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 20000) // 200,000 bytes: four chunks
	for _, tc := range []struct {
		name     string
		b        []byte
		equal    bool
		offset   int64
		exA, exB string
		sizeB    int64
	}{
		{"equal", bytes.Clone(big), true, 0, "", "", 200000},
		{"third chunk", func() []byte { c := bytes.Clone(big); c[150000] = 'X'; return c }(), false, 150000,
			"234567890123456789012345", "23456789X123456789012345", 200000},
		{"shorter", big[:130000], false, 130000, "234567890123456789012345", "23456789", 130000},
		{"longer", append(bytes.Clone(big), "tail"...), false, 200000, "23456789", "23456789tail", 200004},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := compareContent(bytes.NewReader(big), bytes.NewReader(tc.b))
			if err != nil {
				t.Fatal(err)
			}
			if res.equal != tc.equal || res.sizeA != 200000 || res.sizeB != tc.sizeB {
				t.Fatalf("equal %v sizes %d/%d, want %v 200000/%d", res.equal, res.sizeA, res.sizeB, tc.equal, tc.sizeB)
			}
			if tc.equal {
				if res.digA != res.digB {
					t.Errorf("equal contents, digests %s %s", res.digA, res.digB)
				}
				return
			}
			if res.offset != tc.offset || string(res.exA) != tc.exA || string(res.exB) != tc.exB || res.exOff != tc.offset-8 {
				t.Errorf("offset %d (excerpt at %d) %q %q, want %d %q %q", res.offset, res.exOff, res.exA, res.exB, tc.offset, tc.exA, tc.exB)
			}
			if res.digA == res.digB {
				t.Error("differing contents share a digest")
			}
		})
	}
}

func TestQuoteEscapesBinary(t *testing.T) {
	if got := quote([]byte("a\x00\xff::error::")); got != `"a\x00\xff::error::"` {
		t.Errorf("quote = %s", got)
	}
}

func TestParseNoise(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	opts, err := parseNoise([]string{"entry-mtime usr/share/** until 2027-01-01", "", "config-field created until 2026-12-01"}, now, 90)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) != 2 || opts[0].Expired || !opts[1].Expired || opts[1].Line != 3 {
		t.Fatalf("got %+v %+v", opts[0], opts[1])
	}
	if !opts[0].matches(diff{rule: RuleEntryMtime, subject: "usr/share/doc/readme"}) ||
		opts[0].matches(diff{rule: RuleEntryMode, subject: "usr/share/doc/readme"}) ||
		opts[0].matches(diff{rule: RuleEntryMtime, subject: "usr/bin/app"}) {
		t.Error("matching is wrong")
	}
	for _, bad := range []string{
		"entry-mtime usr/** until 2027-06-01", // beyond 90 days
		"noise-expired ** until 2027-01-01",   // not a difference rule
		"entry-mtime [ until 2027-01-01",      // bad glob
		"entry-mtime ** till 2027-01-01",
		"entry-mtime ** until 01/01/2027",
	} {
		if _, err := parseNoise([]string{bad}, now, 90); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: got %v, want an error naming line 1", bad, err)
		}
	}
}

func TestBuildinfoDiffIgnoresNonGo(t *testing.T) {
	if d := buildinfoDiff([]byte("\x7fELF not really"), []byte("\x7fELF neither")); d != nil {
		t.Errorf("got %v", d)
	}
}
