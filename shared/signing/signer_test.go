package signing

import (
	"errors"
	"testing"

	"github.com/hubgates/hub/shared/gate"
)

func TestServiceURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://fulcio.sigstore.dev/": true,
		"http://127.0.0.1:8080":        true,
		"http://[::1]:9":               true,
		"http://localhost:1":           true,
		"http://fulcio.example":        false,
		"http://10.0.0.1":              false,
		"ftp://x":                      false,
		"fulcio.sigstore.dev":          false,
		"":                             false,
	} {
		got, err := ServiceURL(InputFulcioURL, raw)
		var ie *gate.InputError
		switch {
		case ok && err != nil:
			t.Errorf("%q refused: %v", raw, err)
		case ok && got[len(got)-1] == '/':
			t.Errorf("%q kept its trailing slash: %q", raw, got)
		case !ok && !errors.As(err, &ie):
			t.Errorf("%q: got %q, %v; want an input error", raw, got, err)
		}
	}
}
