package signing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
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

type failingSigner struct{ err error }

func (f failingSigner) Sign(context.Context, []byte) (*sigstore.Signature, error) { return nil, f.err }

func (f failingSigner) SignReader(context.Context, io.Reader) (*sigstore.Signature, error) {
	return nil, f.err
}

// What a KMS says of its key when asked to sign is bad input (exit 2); its
// outages stay errors that leave the run undecided.
func TestKMSKeyErrorsAreBadInput(t *testing.T) {
	for err, input := range map[error]bool{
		fmt.Errorf("kms: %w: expected an ECDSA key, got *rsa.PublicKey", sigstore.ErrUnsupportedKey): true,
		fmt.Errorf("%w: connection refused", sigstore.ErrKMS):                                        false,
	} {
		_, got := keyErrorsAsInput{failingSigner{err}}.Sign(context.Background(), nil)
		if _, streamed := (keyErrorsAsInput{failingSigner{err}}).SignReader(context.Background(), nil); errors.As(streamed, new(*gate.InputError)) != input {
			t.Errorf("%v streamed: got %v", err, streamed)
		}
		var ie *gate.InputError
		if errors.As(got, &ie) != input || !errors.Is(got, err) {
			t.Errorf("%v: got %v (input error %v), want input error %v", err, got, errors.As(got, &ie), input)
		}
	}
}
