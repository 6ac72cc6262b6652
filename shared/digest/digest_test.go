package digest

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// Known digests of "abc", used as well-formed values throughout.
const (
	sha256ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	sha512ABC = "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
		"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
	blake3ABC = "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
)

var sentinels = []error{ErrEmpty, ErrUnknownAlgorithm, ErrLength, ErrNotHex, ErrMismatch}

func TestParseAccepts(t *testing.T) {
	up := strings.ToUpper
	tests := []struct {
		name, in string
		want     Digest
	}{
		{"sha256 prefixed", "sha256:" + sha256ABC, Digest{SHA256, sha256ABC}},
		{"sha512 prefixed", "sha512:" + sha512ABC, Digest{SHA512, sha512ABC}},
		{"blake3 prefixed", "blake3:" + blake3ABC, Digest{BLAKE3, blake3ABC}},
		{"bare 64 is sha256", sha256ABC, Digest{SHA256, sha256ABC}},
		{"bare blake3 value is taken as sha256", blake3ABC, Digest{SHA256, blake3ABC}},
		{"bare 128 is sha512", sha512ABC, Digest{SHA512, sha512ABC}},
		{"cosign tag", "sha256-" + sha256ABC, Digest{SHA256, sha256ABC}},
		{"cosign signature tag", "sha256-" + sha256ABC + ".sig", Digest{SHA256, sha256ABC}},
		{"cosign attestation tag", "sha256-" + sha256ABC + ".att", Digest{SHA256, sha256ABC}},
		{"cosign sbom tag", "sha256-" + sha256ABC + ".sbom", Digest{SHA256, sha256ABC}},
		{"cosign sha512 tag", "sha512-" + sha512ABC + ".sig", Digest{SHA512, sha512ABC}},
		{"cosign blake3 tag", "blake3-" + blake3ABC, Digest{BLAKE3, blake3ABC}},
		{"upper-case everything", "SHA256:" + up(sha256ABC), Digest{SHA256, sha256ABC}},
		{"mixed-case algorithm", "Sha512:" + sha512ABC, Digest{SHA512, sha512ABC}},
		{"upper-case blake3", "BLAKE3:" + up(blake3ABC), Digest{BLAKE3, blake3ABC}},
		{"upper-case bare", up(sha512ABC), Digest{SHA512, sha512ABC}},
		{"upper-case cosign tag", "SHA256-" + up(sha256ABC) + ".SIG", Digest{SHA256, sha256ABC}},
		{"surrounding whitespace", "  sha256:" + sha256ABC + "\n", Digest{SHA256, sha256ABC}},
		{"whitespace around bare", "\t" + sha256ABC + " \r\n", Digest{SHA256, sha256ABC}},
		{"unicode whitespace", "\u00a0sha256:" + sha256ABC + "\u2003", Digest{SHA256, sha256ABC}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			wantS := string(tt.want.Algorithm) + ":" + tt.want.Hex
			if s := got.String(); s != wantS {
				t.Errorf("String() = %q, want %q", s, wantS)
			}
			n, err := Normalize(tt.in)
			if err != nil || n != wantS {
				t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, n, err, wantS)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	h64 := sha256ABC
	tests := []struct {
		name, in string
		want     error
		msg      string // exact error message, when set
	}{
		{"empty", "", ErrEmpty, `parsing digest "": empty digest`},
		{"whitespace only", " \t\n", ErrEmpty, `parsing digest " \t\n": empty digest`},

		{"md5", "md5:900150983cd24fb0d6963f7d28e17f72", ErrUnknownAlgorithm,
			`parsing digest "md5:900150983cd24fb0d6963f7d28e17f72": algorithm "md5" is not sha256, sha512 or blake3: unknown digest algorithm`},
		{"sha1", "sha1:a9993e364706816aba3e25717850c26c9cd0d89d", ErrUnknownAlgorithm, ""},
		{"sha384", "sha384:" + sha512ABC[:96], ErrUnknownAlgorithm, ""},
		{"missing algorithm", ":" + h64, ErrUnknownAlgorithm, ""},
		{"dashed algorithm name", "sha-256:" + h64, ErrUnknownAlgorithm, ""},
		{"cosign tag with unknown algorithm", "sha1-a9993e364706816aba3e25717850c26c9cd0d89d.sig", ErrUnknownAlgorithm, ""},
		{"reference passed to Parse", "ghcr.io/o/r@sha256:" + h64, ErrUnknownAlgorithm, ""},
		{"kelvin sign is not k", "bla\u212ae3:" + blake3ABC, ErrUnknownAlgorithm, ""},
		{"long s is not s", "\u017fha256:" + h64, ErrUnknownAlgorithm, ""},

		{"short sha256", "sha256:abc", ErrLength,
			`parsing digest "sha256:abc": sha256 wants 64 hex characters, got 3: invalid digest length`},
		{"no hex", "sha256:", ErrLength,
			`parsing digest "sha256:": sha256 wants 64 hex characters, got 0: invalid digest length`},
		{"sha512 value under sha256", "sha256:" + sha512ABC, ErrLength, ""},
		{"sha256 value under sha512", "sha512:" + h64, ErrLength,
			`parsing digest "sha512:` + h64 + `": sha512 wants 128 hex characters, got 64: invalid digest length`},
		{"sha512 value under blake3", "blake3:" + sha512ABC, ErrLength, ""},
		{"bare 3", "abc", ErrLength,
			`parsing digest "abc": bare hex wants 64 (sha256) or 128 (sha512) hex characters, got 3: invalid digest length`},
		{"bare 63", h64[:63], ErrLength, ""},
		{"bare 65", h64 + "0", ErrLength, ""},
		{"bare 127", sha512ABC[:127], ErrLength, ""},
		{"bare sha1", "a9993e364706816aba3e25717850c26c9cd0d89d", ErrLength, ""},
		{"short cosign tag", "sha256-abc.sig", ErrLength, ""},

		{"non-hex letter", "sha256:g" + h64[1:], ErrNotHex,
			`parsing digest "sha256:g` + h64[1:] + `": character 'g' at position 8: not a hex digit`},
		{"position counts leading whitespace", "  sha256:" + h64[:10] + "z" + h64[11:], ErrNotHex,
			`parsing digest "  sha256:` + h64[:10] + "z" + h64[11:] + `": character 'z' at position 20: not a hex digit`},
		{"space after colon", "sha256: " + h64, ErrNotHex, ""},
		{"non-ascii", "sha256:" + h64[:63] + "é", ErrNotHex,
			`parsing digest "sha256:` + h64[:63] + `é": character 'é' at position 71: not a hex digit`},
		{"invalid utf-8", "\xff" + h64[1:], ErrNotHex,
			`parsing digest "\xff` + h64[1:] + `": byte 0xff at position 1: not a hex digit`},
		{"0x prefix", "0x" + h64, ErrNotHex, ""},
		{"algorithm without separator", "sha256", ErrNotHex, ""},
		{"algorithm glued to hex", "sha256" + h64, ErrNotHex, ""},
		{"cosign suffix on prefixed form", "sha256:" + h64 + ".sig", ErrNotHex, ""},
		{"unknown cosign suffix", "sha256-" + h64 + ".foo", ErrNotHex,
			`parsing digest "sha256-` + h64 + `.foo": character '.' at position 72: not a hex digit`},
		{"doubled cosign suffix", "sha256-" + h64 + ".sig.sig", ErrNotHex, ""},
		{"bare suffix", h64 + ".sig", ErrNotHex, ""},
		{"second colon", "sha256:" + h64 + ":", ErrNotHex, ""},
		{"inner whitespace", "sha256:" + h64[:32] + " " + h64[32:], ErrNotHex, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tt.in, d)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Parse(%q) error %q does not wrap %q", tt.in, err, tt.want)
			}
			for _, s := range sentinels {
				if s != tt.want && errors.Is(err, s) {
					t.Errorf("Parse(%q) error %q also wraps %q", tt.in, err, s)
				}
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("Parse(%q) error\n got: %s\nwant: %s", tt.in, err, tt.msg)
			}
			if d != (Digest{}) {
				t.Errorf("Parse(%q) returned %#v with its error, want the zero Digest", tt.in, d)
			}
			if n, nerr := Normalize(tt.in); n != "" || nerr == nil || nerr.Error() != err.Error() {
				t.Errorf("Normalize(%q) = %q, %v; want \"\", %v", tt.in, n, nerr, err)
			}
		})
	}
}

func TestErrorQuotesLongInputShortened(t *testing.T) {
	in := strings.Repeat("x", 10000)
	_, err := Parse(in)
	if !errors.Is(err, ErrNotHex) {
		t.Fatalf("Parse: %v, want ErrNotHex", err)
	}
	want := `parsing digest "` + strings.Repeat("x", maxQuoted) + `"... (10000 bytes): character 'x' at position 1: not a hex digit`
	if err.Error() != want {
		t.Errorf("error\n got: %s\nwant: %s", err, want)
	}
	// The cut never splits a character.
	in = "a" + strings.Repeat("é", 200)
	if q := quote(in); !strings.HasPrefix(q, `"a`+strings.Repeat("é", 127)+`"...`) {
		t.Errorf("quote split a character: %s", q)
	}
}

func TestFromReference(t *testing.T) {
	accepts := []struct{ in, want string }{
		{"ghcr.io/owner/image@sha256:" + sha256ABC, "sha256:" + sha256ABC},
		{"ghcr.io/owner/image:v1.2.3@sha256:" + sha256ABC, "sha256:" + sha256ABC},
		{"localhost:5000/image:latest@SHA512:" + strings.ToUpper(sha512ABC), "sha512:" + sha512ABC},
		{"image@blake3:" + blake3ABC + "\n", "blake3:" + blake3ABC},
		{"@sha256:" + sha256ABC, "sha256:" + sha256ABC},
	}
	for _, tt := range accepts {
		d, err := FromReference(tt.in)
		if err != nil || d.String() != tt.want {
			t.Errorf("FromReference(%q) = %v, %v; want %s", tt.in, d, err, tt.want)
		}
	}
	rejects := []struct {
		in   string
		want error
		msg  string
	}{
		{"ghcr.io/owner/image:v1", ErrEmpty, `parsing reference "ghcr.io/owner/image:v1": no "@" digest: empty digest`},
		{"ghcr.io/owner/image@", ErrEmpty, ""},
		{"image@sha256:abc", ErrLength,
			`parsing reference "image@sha256:abc": parsing digest "sha256:abc": sha256 wants 64 hex characters, got 3: invalid digest length`},
		{"image@md5:abc", ErrUnknownAlgorithm, ""},
		{"image@sha256:" + sha256ABC + "@x", ErrNotHex, ""},
	}
	for _, tt := range rejects {
		d, err := FromReference(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("FromReference(%q) = %v, %v; want error wrapping %q", tt.in, d, err, tt.want)
			continue
		}
		if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("FromReference(%q) error\n got: %s\nwant: %s", tt.in, err, tt.msg)
		}
	}
}

func TestParseAlgorithm(t *testing.T) {
	for in, want := range map[string]Algorithm{
		"sha256": SHA256, "SHA512": SHA512, " Blake3\n": BLAKE3,
	} {
		if got, err := ParseAlgorithm(in); err != nil || got != want {
			t.Errorf("ParseAlgorithm(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]error{
		"": ErrEmpty, "  ": ErrEmpty, "md5": ErrUnknownAlgorithm, "sha-256": ErrUnknownAlgorithm,
		"bla\u212ae3": ErrUnknownAlgorithm, "sha256:": ErrUnknownAlgorithm,
	} {
		if got, err := ParseAlgorithm(in); !errors.Is(err, want) {
			t.Errorf("ParseAlgorithm(%q) = %q, %v; want error wrapping %q", in, got, err, want)
		}
	}
	_, err := ParseAlgorithm("sha1")
	if want := `parsing algorithm "sha1": not sha256, sha512 or blake3: unknown digest algorithm`; err.Error() != want {
		t.Errorf("error\n got: %s\nwant: %s", err, want)
	}
}

func TestSize(t *testing.T) {
	for a, want := range map[Algorithm]int{SHA256: 32, SHA512: 64, BLAKE3: 32, "md5": 0, "SHA256": 0, "": 0} {
		if got := a.Size(); got != want {
			t.Errorf("Algorithm(%q).Size() = %d, want %d", a, got, want)
		}
	}
}

func TestStringAndBytes(t *testing.T) {
	var zero Digest
	if s := zero.String(); s != "" {
		t.Errorf("zero String() = %q, want empty", s)
	}
	if b := zero.Bytes(); b != nil {
		t.Errorf("zero Bytes() = %x, want nil", b)
	}
	if !zero.IsZero() || (Digest{Algorithm: SHA256}).IsZero() {
		t.Error("IsZero wrong")
	}
	d := Digest{SHA256, sha256ABC}
	sum := sha256.Sum256([]byte("abc"))
	if b := d.Bytes(); !bytes.Equal(b, sum[:]) {
		t.Errorf("Bytes() = %x, want %x", b, sum)
	}
	if n := len(Digest{SHA512, sha512ABC}.Bytes()); n != 64 {
		t.Errorf("sha512 Bytes() has %d bytes, want 64", n)
	}
	if b := (Digest{SHA256, "zz"}).Bytes(); b != nil {
		t.Errorf("Bytes() of bad hex = %x, want nil", b)
	}
	// A hand-built upper-case Digest still prints canonically.
	if s := (Digest{"SHA256", strings.ToUpper(sha256ABC)}).String(); s != "sha256:"+sha256ABC {
		t.Errorf("String() = %q", s)
	}
}

type doc struct {
	Subject  Digest `json:"subject"`
	Optional Digest `json:"optional,omitzero"`
}

func TestJSON(t *testing.T) {
	out, err := json.Marshal(doc{Subject: Digest{SHA256, sha256ABC}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"subject":"sha256:` + sha256ABC + `"}`; string(out) != want {
		t.Errorf("Marshal = %s, want %s", out, want)
	}

	// Any accepted form decodes to the canonical Digest.
	var got doc
	in := `{"subject":"SHA256-` + strings.ToUpper(sha256ABC) + `.sig","optional":"` + sha512ABC + `"}`
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	want := doc{Subject: Digest{SHA256, sha256ABC}, Optional: Digest{SHA512, sha512ABC}}
	if got != want {
		t.Errorf("Unmarshal = %#v, want %#v", got, want)
	}

	// Decoding validates.
	for in, want := range map[string]error{
		`{"subject":"sha256:abc"}`:                             ErrLength,
		`{"subject":""}`:                                       ErrEmpty,
		`{"subject":"md5:` + "00" + `"}`:                       ErrUnknownAlgorithm,
		`{"subject":"sha256:` + strings.Repeat("x", 64) + `"}`: ErrNotHex,
	} {
		var d doc
		if err := json.Unmarshal([]byte(in), &d); !errors.Is(err, want) {
			t.Errorf("Unmarshal(%s) error = %v, want one wrapping %q", in, err, want)
		}
	}

	// Encoding validates and canonicalizes hand-built values.
	out, err = json.Marshal(Digest{"SHA256", strings.ToUpper(sha256ABC)})
	if err != nil || string(out) != `"sha256:`+sha256ABC+`"` {
		t.Errorf("Marshal(upper-case Digest) = %s, %v", out, err)
	}
	for _, tt := range []struct {
		d    Digest
		want error
		msg  string
	}{
		{Digest{}, ErrEmpty, `invalid digest "": empty digest`},
		{Digest{"md5", "900150983cd24fb0d6963f7d28e17f72"}, ErrUnknownAlgorithm, ""},
		{Digest{"", sha256ABC}, ErrUnknownAlgorithm, ""},
		{Digest{SHA256, "abc"}, ErrLength, `invalid digest "sha256:abc": sha256 wants 64 hex characters, got 3: invalid digest length`},
		{Digest{SHA256, " " + sha256ABC[1:]}, ErrNotHex, ""},
		{Digest{SHA256, "sha256:" + sha256ABC}, ErrNotHex, ""},
		{Digest{" sha256", sha256ABC}, ErrUnknownAlgorithm, ""},
	} {
		_, err := tt.d.MarshalText()
		if !errors.Is(err, tt.want) {
			t.Errorf("%#v.MarshalText() error = %v, want one wrapping %q", tt.d, err, tt.want)
			continue
		}
		if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("%#v.MarshalText() error\n got: %s\nwant: %s", tt.d, err, tt.msg)
		}
		if _, err := json.Marshal(doc{Subject: tt.d}); !errors.Is(err, tt.want) {
			t.Errorf("json.Marshal with %#v: error = %v, want one wrapping %q", tt.d, err, tt.want)
		}
	}

	// On error UnmarshalText leaves the Digest alone.
	d := Digest{SHA256, sha256ABC}
	if err := d.UnmarshalText([]byte("nope")); err == nil || d != (Digest{SHA256, sha256ABC}) {
		t.Errorf("UnmarshalText(nope) = %v, left %#v", err, d)
	}
}
