package sigstore_test

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/hubgates/hub/shared/sigstore"
)

// StatementPayload returns the statement of the predicate type asked, and
// refuses every other envelope with the caller's error.
func TestStatementPayload(t *testing.T) {
	errNotIt := errors.New("not a drill record")
	bundle := func(payloadType, payload string) []byte {
		return []byte(`{"dsseEnvelope":{"payloadType":"` + payloadType + `","payload":"` +
			base64.StdEncoding.EncodeToString([]byte(payload)) + `"}}`)
	}
	const want = `{"predicateType":"https://example.com/drill/v1"}`
	got, err := sigstore.StatementPayload(bundle(sigstore.InTotoPayloadType, want), "https://example.com/drill/v1", errNotIt)
	if err != nil || string(got) != want {
		t.Fatalf("StatementPayload = %q, %v", got, err)
	}
	for name, tc := range map[string]struct {
		bundle  []byte
		wantErr error
	}{
		"another predicate":    {bundle(sigstore.InTotoPayloadType, `{"predicateType":"https://example.com/evidence/v1"}`), errNotIt},
		"another payload type": {bundle("text/plain", want), errNotIt},
		"no envelope":          {[]byte(`{"messageSignature":{}}`), errNotIt},
		"not a statement":      {bundle(sigstore.InTotoPayloadType, `[1,2]`), errNotIt},
		"not JSON":             {[]byte(`{"dsseEnvelope":`), sigstore.ErrMalformedBundle},
	} {
		if _, err := sigstore.StatementPayload(tc.bundle, "https://example.com/drill/v1", errNotIt); !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: error %v, want %v", name, err, tc.wantErr)
		}
	}
}
