package digest

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

var canonicalRE = regexp.MustCompile(`^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}|blake3:[0-9a-f]{64})$`)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"sha256:" + sha256ABC,
		"sha512:" + sha512ABC,
		"blake3:" + blake3ABC,
		sha256ABC,
		sha512ABC,
		"sha256-" + sha256ABC,
		"sha256-" + sha256ABC + ".sig",
		"sha256-" + sha256ABC + ".att",
		"sha256-" + sha256ABC + ".sbom",
		"sha512-" + sha512ABC + ".sig",
		"SHA256:" + strings.ToUpper(sha256ABC),
		"Blake3:" + strings.ToUpper(blake3ABC),
		" \t" + sha512ABC + "\r\n",
		"\u00a0sha256:" + sha256ABC + "\u2003",
		"",
		"   ",
		"sha256:abc",
		"md5:900150983cd24fb0d6963f7d28e17f72",
		"ghcr.io/o/r@sha256:" + sha256ABC,
		"bla\u212ae3:" + blake3ABC,
		"sha256:" + sha256ABC[:63] + "é",
		"\xff",
		"sha256-" + sha256ABC + ".sig.sig",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Normalize(s)
		if err != nil {
			if out != "" {
				t.Errorf("Normalize(%q) = %q with error %v", s, out, err)
			}
			if !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrUnknownAlgorithm) &&
				!errors.Is(err, ErrLength) && !errors.Is(err, ErrNotHex) {
				t.Errorf("Normalize(%q) error %q wraps none of the sentinels", s, err)
			}
			if !strings.HasPrefix(err.Error(), "parsing digest ") {
				t.Errorf("Normalize(%q) error %q does not say what it was parsing", s, err)
			}
			return
		}
		if !canonicalRE.MatchString(out) {
			t.Fatalf("Normalize(%q) = %q, not canonical", s, out)
		}
		if again, err := Normalize(out); err != nil || again != out {
			t.Errorf("Normalize(%q) = %q, %v; not idempotent", out, again, err)
		}
		d, err := Parse(out)
		if err != nil || d.String() != out {
			t.Errorf("Parse(%q) = %v, %v; want %q", out, d, err, out)
		}
		if text, err := d.MarshalText(); err != nil || string(text) != out {
			t.Errorf("MarshalText of %q = %q, %v", out, text, err)
		}
		if len(d.Bytes()) != d.Algorithm.Size() {
			t.Errorf("Bytes of %q has %d bytes, want %d", out, len(d.Bytes()), d.Algorithm.Size())
		}
		// The canonical hex must be the input's hex, lowered.
		if !strings.Contains(strings.ToLower(s), d.Hex) {
			t.Errorf("Normalize(%q) = %q: hex does not come from the input", s, out)
		}
	})
}
