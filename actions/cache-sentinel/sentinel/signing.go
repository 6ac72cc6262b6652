package sentinel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/signing"
	"github.com/hubgates/hub/shared/sigstore"
)

// signer builds the manifest signer the inputs ask for (shared with the
// sign gate); it runs before the walk, so a misconfigured seal fails in a
// second rather than after hashing.
func signer(in *gate.Inputs) (sigstore.Signer, error) { return signing.Signer(in) }

// trust holds what verify checks bundles against, read from the
// inputs up front (so bad inputs fail before the cache is touched); the
// public-good trusted root, when no trusted-root is given, is fetched only
// once there is a bundle to check, so a cache miss needs no network.
type trust struct {
	v        *sigstore.Verifier // ready, unless the public-good root must be fetched
	identity *sigstore.Identity // nil for a key
	timeout  time.Duration
	// root is the trusted-root file as read, for the evidence; nil when
	// none was given.
	root *evidence.Artifact
}

// maxTrustedRootBytes bounds the trusted root read: the public-good one is
// about 10 KiB.
const maxTrustedRootBytes = 4 << 20

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
		b, err := in.ReadFile(inputTrustedRoot, maxTrustedRootBytes)
		if err != nil {
			return nil, err
		}
		t.root = &evidence.Artifact{Path: in.Env.Rel(p), Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))}
		tr, err := sigstore.ParseTrustedRoot(b)
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
