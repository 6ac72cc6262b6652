package sigstore_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/sigstore"
)

func TestExcerpt(t *testing.T) {
	for in, want := range map[string]string{
		"short":                       `"short"`,
		"a\nline\x1b[31m":             `"a\nline\x1b[31m"`,
		strings.Repeat("x", 80):       `"` + strings.Repeat("x", 80) + `"`,
		strings.Repeat("x", 81):       `"` + strings.Repeat("x", 80) + `"...`,
		strings.Repeat("é", 41):       `"` + strings.Repeat("é", 40) + `"...`, // 82 bytes, cut before a character
		strings.Repeat("y", 79) + "é": `"` + strings.Repeat("y", 79) + `"...`,
	} {
		if got := sigstore.Excerpt(in); got != want {
			t.Errorf("Excerpt(%q) = %s, want %s", in, got, want)
		}
	}
}

// A file that is not a bundle or a trusted root is refused with at most
// a short excerpt of what it holds: the rest of it is in no message.
func TestParseErrorsQuoteAnExcerptOnly(t *testing.T) {
	secret := "TOKEN" + strings.Repeat("s", 200) + "TAIL"
	for _, data := range []string{secret, `{"mediaType": "` + secret + `"}`, `{"` + secret + `": 1}`} {
		_, err := sigstore.ParseBundle([]byte(data))
		if !errors.Is(err, sigstore.ErrMalformedBundle) || strings.Contains(err.Error(), "TAIL") || len(err.Error()) > 200 {
			t.Errorf("bundle %.20q...: %v", data, err)
		}
		_, err = sigstore.ParseTrustedRoot([]byte(data))
		if !errors.Is(err, sigstore.ErrBadTrustedRoot) || strings.Contains(err.Error(), "TAIL") || len(err.Error()) > 200 {
			t.Errorf("trusted root %.20q...: %v", data, err)
		}
	}
}
