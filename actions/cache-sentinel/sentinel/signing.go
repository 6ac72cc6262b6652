package sentinel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
)

// signer builds the manifest signer the inputs ask for: a key when
// private-key is given, keyless through the job's OIDC token otherwise.
// Everything that can be checked before hashing is checked here, so a
// misconfigured seal fails in a second rather than after the walk.
func signer(in *gate.Inputs) (sigstore.Signer, error) {
	if pemKey := in.String(inputPrivateKey); pemKey != "" {
		key, err := sigstore.LoadPrivateKey([]byte(pemKey), []byte(in.String(inputPassword)))
		if err != nil {
			return nil, &gate.InputError{Input: inputPrivateKey, Problem: err.Error(), Secret: true, Err: err}
		}
		s, err := sigstore.NewKeySigner(key)
		if err != nil {
			return nil, &gate.InputError{Input: inputPrivateKey, Problem: err.Error(), Secret: true, Err: err}
		}
		return s, nil
	}
	fulcio, err := serviceURL(in, inputFulcioURL)
	if err != nil {
		return nil, err
	}
	rekor, err := serviceURL(in, inputRekorURL)
	if err != nil {
		return nil, err
	}
	tokens := sigstore.ActionsToken{
		RequestURL:   in.Env.Getenv("ACTIONS_ID_TOKEN_REQUEST_URL"),
		RequestToken: in.Env.Getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
		Audience:     "sigstore",
	}
	if tokens.RequestURL == "" || tokens.RequestToken == "" {
		return nil, gate.BadInputf(inputPrivateKey, "", "is empty, so the manifest is signed keyless, but the job has no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is unset): give the job \"permissions: id-token: write\", or a private-key")
	}
	return &sigstore.KeylessSigner{
		Tokens: tokens,
		CA:     &sigstore.Fulcio{BaseURL: fulcio},
		Log:    &sigstore.Rekor{BaseURL: rekor},
	}, nil
}

// trust holds what verify checks bundles against, read from the
// inputs up front (so bad inputs fail before the cache is touched); the
// public-good trusted root, when no trusted-root is given, is fetched only
// once there is a bundle to check, so a cache miss needs no network.
type trust struct {
	v        *sigstore.Verifier // ready, unless the public-good root must be fetched
	identity *sigstore.Identity // nil for a key
	timeout  time.Duration
}

// trustFrom reads public-key, trusted-root and the identity inputs.
func trustFrom(in *gate.Inputs, c Classification) (*trust, error) {
	t := &trust{timeout: in.Duration(inputTimeout)}
	if pemKey := in.String(inputPublicKey); pemKey != "" {
		pub, err := sigstore.LoadPublicKey([]byte(pemKey))
		if err != nil {
			return nil, gate.BadInputf(inputPublicKey, firstLine(pemKey), "%v", err)
		}
		if t.v, err = sigstore.NewKeyVerifier(pub); err != nil {
			return nil, gate.BadInputf(inputPublicKey, firstLine(pemKey), "%v", err)
		}
		return t, nil
	}
	re, err := identityRegexp(in, c)
	if err != nil {
		return nil, err
	}
	issuer := in.String(inputIssuer)
	if issuer == "" {
		issuer = defaultActionsIssuer
	}
	t.identity = &sigstore.Identity{SubjectRegexp: re, Issuer: issuer}
	if p := in.Path(inputTrustedRoot); p != "" {
		tr, err := sigstore.LoadTrustedRoot(p)
		if err != nil {
			return nil, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
		}
		if t.v, err = sigstore.NewKeylessVerifier(tr); err != nil {
			return nil, gate.BadInputf(inputTrustedRoot, in.Raw(inputTrustedRoot), "%v", err)
		}
	}
	return t, nil
}

// verifier returns the verifier, fetching the public-good trusted root
// through TUF when no trusted-root was given.
func (t *trust) verifier(ctx context.Context) (*sigstore.Verifier, error) {
	if t.v != nil {
		return t.v, nil
	}
	tctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	tr, err := sigstore.FetchTrustedRoot(tctx, "")
	if err != nil {
		return nil, err
	}
	if t.v, err = sigstore.NewKeylessVerifier(tr); err != nil {
		return nil, fmt.Errorf("the public-good trusted root: %w", err)
	}
	return t.v, nil
}

// signatureRule maps a verification failure to the rule it breaks, or ""
// for a failure that is not about the bundle (an I/O error).
func signatureRule(err error) string {
	switch {
	case errors.Is(err, sigstore.ErrUntrustedSigner):
		return RuleSignerUntrusted
	case errors.Is(err, sigstore.ErrSignatureInvalid), errors.Is(err, sigstore.ErrMalformedBundle):
		return RuleSignatureInvalid
	}
	return ""
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
