package sweep

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

func TestChecksum(t *testing.T) {
	for _, p := range checksumPrefixes {
		tok := mint(t, p)
		if got := verifyChecksum(tok); got != checksumValid {
			t.Errorf("%s: minted token: %v, want valid", p, got)
		}
		if got := verifyChecksum(tamper(tok)); got != checksumInvalid {
			t.Errorf("%s: tampered token: %v, want invalid", p, got)
		}
	}
	if got := verifyChecksum("AKIAIOSFODNN7EXAMPLE"); got != noChecksum {
		t.Errorf("AWS key id: %v, want no checksum", got)
	}
}

func TestKnownSecretsRollingHash(t *testing.T) {
	k, err := newKnownSecrets("  first-secret-value \r\n\nsecond-value-longer-than-the-first\nthird-v8\n")
	if err != nil {
		t.Fatal(err)
	}
	if k.count() != 3 {
		t.Fatalf("count = %d, want 3", k.count())
	}
	text := "x third-v8 y\nprefix first-secret-valuesecond-value-longer-than-the-first first-secret-valu"
	var got []int
	for _, m := range k.find(text) {
		if text[m.offset:m.offset+m.length] == "" {
			t.Fatal("empty match")
		}
		got = append(got, m.index)
	}
	slices.Sort(got)
	if !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("found secrets %v, want [1 2 3] (each once; the truncated copy of 1 is no match)", got)
	}
	if m := k.find("third-v8"); len(m) != 1 || m[0].offset != 0 {
		t.Errorf("a value that is the whole text: %+v", m)
	}
	if _, err := newKnownSecrets("qz7wx"); err == nil || strings.Contains(err.Error(), "qz7wx") {
		t.Errorf("a value under %d characters: err = %v, want an error that does not quote it", minKnownLen, err)
	}
}

func TestDetectorFindsAndRefuses(t *testing.T) {
	ctx := context.Background()
	ghp, ghs, npm := mint(t, "ghp_"), mint(t, "ghs_"), mint(t, "npm_")
	given := "my-deploy-password-42"
	d, err := NewDetector(ctx, given)
	if err != nil {
		t.Fatal(err)
	}
	basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + given))
	text := "token=" + ghp + "\n" +
		"npm_config=" + npm + "\n" +
		"tampered=" + tamper(ghs) + "\n" +
		"[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic " + basic + "\n" +
		"pw: " + given + "\n"
	hits := d.Scan(ctx, text, "config")
	type key struct {
		rule, kind string
		line       int
	}
	var got []key
	for _, h := range hits {
		got = append(got, key{h.rule, h.kind, h.line})
	}
	want := []key{
		{RuleToken, "github-pat", 1},
		{RuleToken, "npm-access-token", 2},
		{RuleCredential, "git-extraheader", 5},
		{RuleGiven, "secret-1", 5},
		{RuleGiven, "secret-1", 6},
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing %+v in %+v", w, got)
		}
	}
	for _, h := range hits {
		if h.kind == "github-app-token" {
			t.Errorf("the tampered ghs_ token was reported: %+v", h)
		}
		if h.kind == "github-pat" && !h.verified {
			t.Errorf("the minted ghp_ token is not marked verified")
		}
	}
	if d.Rejected() != 1 {
		t.Errorf("rejected = %d, want 1 (the tampered token)", d.Rejected())
	}
}
