package signing

import (
	"cmp"
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"

	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
)

// The input names a signing gate declares.
const (
	InputPrivateKey = "private-key"
	InputPassword   = "private-key-password"
	InputFulcioURL  = "fulcio-url"
	InputRekorURL   = "rekor-url"
)

// Signer builds the signer the inputs ask for. Everything that can be
// checked before signing (the key and its password, the service URLs, the
// presence of an OIDC token) is checked here, so a misconfigured run fails
// at once with exit 2 naming the input.
func Signer(in *gate.Inputs) (sigstore.Signer, error) {
	if pemKey := in.String(InputPrivateKey); pemKey != "" {
		if sigstore.IsKMSReference(pemKey) {
			// Vault's address and token, and AWS's region and credentials,
			// come from the step's environment, where cosign users already
			// keep them.
			s, err := sigstore.NewKMSSigner(pemKey, sigstore.KMSAuth{
				Address: in.Env.Getenv("VAULT_ADDR"),
				Token:   in.Env.Getenv("VAULT_TOKEN"),
				Path:    in.Env.Getenv("TRANSIT_SECRET_ENGINE_PATH"),
				Region:  cmp.Or(in.Env.Getenv("AWS_REGION"), in.Env.Getenv("AWS_DEFAULT_REGION")),
			})
			if err != nil {
				return nil, &gate.InputError{Input: InputPrivateKey, Problem: err.Error(), Secret: true, Err: err}
			}
			return keyErrorsAsInput{s}, nil
		}
		key, err := sigstore.LoadPrivateKey([]byte(pemKey), []byte(in.String(InputPassword)))
		if err != nil {
			return nil, &gate.InputError{Input: InputPrivateKey, Problem: err.Error(), Secret: true, Err: err}
		}
		s, err := sigstore.NewKeySigner(key)
		if err != nil {
			return nil, &gate.InputError{Input: InputPrivateKey, Problem: err.Error(), Secret: true, Err: err}
		}
		return s, nil
	}
	fulcio, err := ServiceURL(InputFulcioURL, in.String(InputFulcioURL))
	if err != nil {
		return nil, err
	}
	rekor, err := ServiceURL(InputRekorURL, in.String(InputRekorURL))
	if err != nil {
		return nil, err
	}
	tokens := sigstore.ActionsToken{
		RequestURL:   in.Env.Getenv("ACTIONS_ID_TOKEN_REQUEST_URL"),
		RequestToken: in.Env.Getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
		Audience:     "sigstore",
	}
	if tokens.RequestURL == "" || tokens.RequestToken == "" {
		return nil, gate.BadInputf(InputPrivateKey, "", "is empty, so signing is keyless, but the job has no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is unset): give the job \"permissions: id-token: write\", or a private-key")
	}
	return &sigstore.KeylessSigner{
		Tokens: tokens,
		CA:     &sigstore.Fulcio{BaseURL: fulcio},
		Log:    &sigstore.Rekor{BaseURL: rekor},
	}, nil
}

// ServiceURL checks the URL of a Sigstore service given in input: https,
// or plain http to a loopback address only (a local instance), since an
// identity token must not cross the network in clear. It returns the URL
// without a trailing slash.
func ServiceURL(input, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http" && loopback(u.Hostname())) {
		return strings.TrimSuffix(raw, "/"), nil
	}
	return "", gate.BadInputf(input, raw, "want an https:// URL (http:// only for a loopback address)")
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// keyErrorsAsInput reports what a KMS says of its key only when asked to
// sign (not ECDSA, an unsupported curve) as a bad private-key input, exit
// 2, like the same problem in a key file; the service's own failures stay
// undecided.
type keyErrorsAsInput struct{ sigstore.Signer }

func (s keyErrorsAsInput) Sign(ctx context.Context, artifact []byte) (*sigstore.Signature, error) {
	sig, err := s.Signer.Sign(ctx, artifact)
	if errors.Is(err, sigstore.ErrUnsupportedKey) || errors.Is(err, sigstore.ErrBadKey) {
		return nil, &gate.InputError{Input: InputPrivateKey, Problem: err.Error(), Secret: true, Err: err}
	}
	return sig, err
}

func (s keyErrorsAsInput) SignReader(ctx context.Context, r io.Reader) (*sigstore.Signature, error) {
	sig, err := s.Signer.SignReader(ctx, r)
	if errors.Is(err, sigstore.ErrUnsupportedKey) || errors.Is(err, sigstore.ErrBadKey) {
		return nil, &gate.InputError{Input: InputPrivateKey, Problem: err.Error(), Secret: true, Err: err}
	}
	return sig, err
}

// SignDSSE signs a DSSE envelope with the KMS key; what the KMS says of
// its key is bad input, as for Sign.
func (s keyErrorsAsInput) SignDSSE(ctx context.Context, payloadType string, payload []byte) (*sigstore.Signature, error) {
	ds, ok := s.Signer.(sigstore.DSSESigner)
	if !ok {
		return nil, errors.New("this signer cannot sign DSSE envelopes")
	}
	sig, err := ds.SignDSSE(ctx, payloadType, payload)
	if errors.Is(err, sigstore.ErrUnsupportedKey) || errors.Is(err, sigstore.ErrBadKey) {
		return nil, &gate.InputError{Input: InputPrivateKey, Problem: err.Error(), Secret: true, Err: err}
	}
	return sig, err
}
