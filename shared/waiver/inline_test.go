package waiver_test

import (
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/waiver"
)

// got is what ParseInline returned, reduced for comparison.
type inlineGot struct {
	rule, reason, expires string
	line, srcLine, srcCol int
}

func TestParseInline(t *testing.T) {
	tests := []struct {
		name   string
		syntax waiver.Syntax
		src    string
		want   []inlineGot
	}{
		{"trailing", waiver.SyntaxYAML,
			"steps:\n  - uses: a/b@v1 # hub: ignore[unpinned-uses] expires=2026-02-01 reason=vendor has no SHA\n",
			[]inlineGot{{"unpinned-uses", "vendor has no SHA", "2026-02-01", 2, 2, 18}}},
		{"own line waives the next line", waiver.SyntaxYAML,
			"steps:\n  # hub: ignore[unpinned-uses] expires=2026-02-01 reason=\"quoted, with \\\"escapes\\\"\"\n  - uses: a/b@v1\n",
			[]inlineGot{{"unpinned-uses", `quoted, with "escapes"`, "2026-02-01", 3, 2, 3}}},
		{"skips blank and comment lines", waiver.SyntaxYAML,
			"# hub: ignore[r] expires=2026-02-01 reason=why\n\n# another comment\n   \nkey: value\n",
			[]inlineGot{{"r", "why", "2026-02-01", 5, 1, 1}}},
		{"stacked comments waive the same line", waiver.SyntaxYAML,
			"# hub: ignore[a] expires=2026-02-01 reason=one\n# hub: ignore[b] expires=2026-02-02 reason=two\nkey: value\n",
			[]inlineGot{{"a", "one", "2026-02-01", 3, 1, 1}, {"b", "two", "2026-02-02", 3, 2, 1}}},
		{"several rules, keys reversed, no spaces", waiver.SyntaxYAML,
			"x: 1 #hub:ignore[ a , b,a] reason=\"r\" expires=2026-02-01\n",
			[]inlineGot{{"a", "r", "2026-02-01", 1, 1, 6}, {"b", "r", "2026-02-01", 1, 1, 6}}},
		{"expires today", waiver.SyntaxYAML,
			"x: 1 # hub: ignore[r] expires=2026-01-15 reason=last day\n",
			[]inlineGot{{"r", "last day", "2026-01-15", 1, 1, 6}}},
		{"expired is still a waiver", waiver.SyntaxYAML,
			"x: 1 # hub: ignore[r] expires=2025-01-15 reason=old\n",
			[]inlineGot{{"r", "old", "2025-01-15", 1, 1, 6}}},
		{"CRLF", waiver.SyntaxYAML,
			"a: 1\r\nb: 2 # hub: ignore[r] expires=2026-02-01 reason=crlf\r\n",
			[]inlineGot{{"r", "crlf", "2026-02-01", 2, 2, 6}}},
		{"rule ids with slashes and dots", waiver.SyntaxYAML,
			"x: 1 # hub: ignore[py/sql-injection,CVE-2024.1] expires=2026-02-01 reason=r\n",
			[]inlineGot{{"py/sql-injection", "r", "2026-02-01", 1, 1, 6}, {"CVE-2024.1", "r", "2026-02-01", 1, 1, 6}}},
		{"inside a block scalar is script text", waiver.SyntaxYAML,
			"steps:\n  - run: |\n      # hub: ignore[r] expires=2026-02-01 reason=shell comment\n      echo hi\n\n      echo # hub: ignore[r] expires=2026-02-01 reason=x\n  - uses: a/b@v1 # hub: ignore[r] expires=2026-02-01 reason=after the block\n",
			[]inlineGot{{"r", "after the block", "2026-02-01", 7, 7, 18}}},
		{"folded scalar after a dash", waiver.SyntaxYAML,
			"items:\n  - >-\n    # hub: ignore[r] expires=2026-02-01 reason=text\n  - x # hub: ignore[r] expires=2026-02-01 reason=real\n",
			[]inlineGot{{"r", "real", "2026-02-01", 4, 4, 7}}},
		{"a hash inside a value is not a comment", waiver.SyntaxYAML,
			"url: https://x/#hub: ignore[r] expires=2026-02-01 reason=x\n", nil},
		{"other hub comments are left alone", waiver.SyntaxYAML,
			"# hub: this file is audited\n# hub: ignored by nobody\n# hubby: ignore[r]\nx: 1\n", nil},
		{"dockerfile own line", waiver.SyntaxDockerfile,
			"# hub: ignore[unpinned-images] expires=2026-02-01 reason=base image pinned by digest in CI\nFROM golang:1.26\n",
			[]inlineGot{{"unpinned-images", "base image pinned by digest in CI", "2026-02-01", 2, 1, 1}}},
		{"dockerfile trailing hash belongs to the instruction", waiver.SyntaxDockerfile,
			"FROM golang:1.26 # hub: ignore[unpinned-images] expires=2026-02-01 reason=x\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, bad := policy(t).ParseInline("dir/f[1].yml", []byte(tt.src), tt.syntax)
			if len(bad) != 0 {
				t.Fatalf("invalid-waiver findings: %+v", bad)
			}
			var got []inlineGot
			for _, w := range ws {
				if w.Kind != waiver.KindInSource || w.Source.Path != "dir/f[1].yml" {
					t.Errorf("waiver %+v: kind or source path wrong", w)
				}
				// The file's own path is matched literally, "[" included.
				if !w.Matches(finding.Finding{Rule: w.Rule, Path: "dir/f[1].yml", Line: w.Line}, nil) ||
					w.Matches(finding.Finding{Rule: w.Rule, Path: "dir/f1.yml", Line: w.Line}, nil) {
					t.Errorf("waiver %+v does not match exactly its own file", w)
				}
				got = append(got, inlineGot{w.Rule, w.Reason, w.ExpiresOn(), w.Line, w.Source.Line, w.Source.Col})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("waivers:\n%+v\nwant\n%+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("waiver %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseInlineInvalid(t *testing.T) {
	tests := []struct {
		name, src, want string // want: the problem, between "waives nothing: " and "; write"
	}{
		{"no reason", "x: 1 # hub: ignore[r] expires=2026-02-01", "reason=... is missing"},
		{"no expires", "x: 1 # hub: ignore[r] reason=why", "expires=YYYY-MM-DD is missing"},
		{"expires swallowed by the reason", "x: 1 # hub: ignore[r] reason=why expires=2026-02-01",
			"expires=YYYY-MM-DD is missing: an unquoted reason takes the rest of the line, so quote the reason or put expires first"},
		{"bad date", "x: 1 # hub: ignore[r] expires=2026-02-30 reason=x", `expires: invalid value: expected a date as YYYY-MM-DD, got "2026-02-30"`},
		{"date with slashes", "x: 1 # hub: ignore[r] expires=2026/02/01 reason=x", `expires: invalid value: expected a date as YYYY-MM-DD, got "2026/02/01"`},
		{"too long", "x: 1 # hub: ignore[r] expires=2026-04-16 reason=x", `waiver runs longer than allowed: expected expires on or before "2026-04-15" (90 days from 2026-01-15), got "2026-04-16" (91 days)`},
		{"empty reason", `x: 1 # hub: ignore[r] expires=2026-02-01 reason=""`, "reason is empty: say why the finding is accepted"},
		{"blank reason", "x: 1 # hub: ignore[r] expires=2026-02-01 reason=   ", "reason is empty: say why the finding is accepted"},
		{"unclosed quote", `x: 1 # hub: ignore[r] expires=2026-02-01 reason="why`, `reason "why is not a complete quoted string`},
		{"text after quote", `x: 1 # hub: ignore[r] expires=2026-02-01 reason="why"now`, `expected a space after the quoted reason, got "now"`},
		{"twice", "x: 1 # hub: ignore[r] expires=2026-02-01 expires=2026-02-02 reason=x", "expires is given twice"},
		{"reason twice", `x: 1 # hub: ignore[r] reason="a" reason="b" expires=2026-02-01`, "reason is given twice"},
		{"unknown key", "x: 1 # hub: ignore[r] until=2026-02-01 reason=x", `expected expires=YYYY-MM-DD or reason=..., got "until=2026-02-01"`},
		{"no brackets", "x: 1 # hub: ignore r expires=2026-02-01 reason=x", `expected "[" and the rule ids right after "ignore"`},
		{"next-line variant", "# hub: ignore-next-line[r] expires=2026-02-01 reason=x\nx: 1", `expected "[" and the rule ids right after "ignore"`},
		{"unclosed list", "x: 1 # hub: ignore[r expires=2026-02-01 reason=x", `the rule list has no closing "]"`},
		{"empty list", "x: 1 # hub: ignore[] expires=2026-02-01 reason=x", `no rule id between "[" and "]"`},
		{"empty rule", "x: 1 # hub: ignore[a,,b] expires=2026-02-01 reason=x", `rule "" is not a rule id`},
		{"pattern rule", "x: 1 # hub: ignore[unpinned-*] expires=2026-02-01 reason=x", `rule "unpinned-*" is not a rule id`},
		{"nothing follows", "x: 1\n# hub: ignore[r] expires=2026-02-01 reason=x\n\n# end\n", "no line follows it to waive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, bad := policy(t).ParseInline("ci.yml", []byte(tt.src), waiver.SyntaxYAML)
			if len(ws) != 0 || len(bad) != 1 {
				t.Fatalf("waivers %+v, invalid %+v; want one invalid-waiver and no waiver", ws, bad)
			}
			b := bad[0]
			line := strings.Count(tt.src[:strings.Index(tt.src, "# hub")], "\n") + 1
			if b.Rule != waiver.RuleInvalid || b.Severity != finding.High || b.Path != "ci.yml" || b.Line != line || b.Fingerprint == "" {
				t.Errorf("finding %+v, want invalid-waiver (high) at ci.yml:%d", b, line)
			}
			want := "inline waiver waives nothing: " + tt.want + "; write " + waiver.InlineSyntax
			if b.Message != want {
				t.Errorf("message\n got: %s\nwant: %s", b.Message, want)
			}
		})
	}
}
