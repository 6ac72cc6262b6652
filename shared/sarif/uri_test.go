package sarif

import "testing"

// A hostile repository's file names are what findings report: a line
// break or a backslash in a name is percent-encoded, never refused.
func TestOddFileNamesAreEncoded(t *testing.T) {
	for name, want := range map[string]string{
		"ok\n::error::x.yml": "ok%0A%3A%3Aerror%3A%3Ax.yml",
		`a\b.yml`:            "a%5Cb.yml",
		"::x/y.yml":          "%3A%3Ax/y.yml",
		"A:":                 "A%3A",
		"C:/x.yml":           "C%3A/x.yml",
	} {
		got, err := artifactURI(name)
		if err != nil || got != want {
			t.Errorf("artifactURI(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
}
