package sbomgate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
)

// Signer is who signed a VEX document.
type Signer struct {
	// Kind is "keyless" or "key"; Identity the certificate's identity or
	// the key's ID; Issuer the OIDC issuer of a keyless certificate.
	Kind     string `json:"kind"`
	Identity string `json:"identity"`
	Issuer   string `json:"issuer,omitempty"`
}

// String names the signer for messages.
func (s Signer) String() string {
	if s.Kind == "key" {
		return "key " + s.Identity
	}
	return s.Identity
}

// SignatureVerifier checks that a VEX document was signed by an allowed
// signer. The gate verifies through it only, so the Sigstore library
// behind it can change without touching the rest.
type SignatureVerifier interface {
	// VerifyBlob checks that bundle (a Sigstore bundle) signs doc.
	VerifyBlob(bundle, doc []byte) (Signer, error)
	// VerifyAttestation checks a Sigstore bundle holding a DSSE envelope
	// whose in-toto statement names subject (by digest) and returns the
	// statement.
	VerifyAttestation(bundle, subject []byte) ([]byte, Signer, error)
}

// sigstoreVerifier is SignatureVerifier on shared/sigstore.
type sigstoreVerifier struct {
	v  *sigstore.Verifier
	id *sigstore.Identity
}

// VerifyBlob checks a message signature over doc.
func (s *sigstoreVerifier) VerifyBlob(bundle, doc []byte) (Signer, error) {
	res, err := s.v.Verify(bundle, doc, s.id)
	if err != nil {
		return Signer{}, err
	}
	return Signer{Kind: res.Kind, Identity: res.Identity, Issuer: res.Issuer}, nil
}

// VerifyAttestation checks a DSSE attestation about subject and returns
// its payload, the in-toto statement.
func (s *sigstoreVerifier) VerifyAttestation(bundle, subject []byte) ([]byte, Signer, error) {
	b, err := sigstore.ParseBundle(bundle)
	if err != nil {
		return nil, Signer{}, err
	}
	env := b.GetDsseEnvelope()
	if env == nil {
		return nil, Signer{}, fmt.Errorf("%w: the bundle holds a message signature, not an attestation: list the signed document instead", sigstore.ErrMalformedBundle)
	}
	res, err := s.v.VerifyEntity(b, bytes.NewReader(subject), s.id)
	if err != nil {
		return nil, Signer{}, err
	}
	return env.GetPayload(), Signer{Kind: res.Kind, Identity: res.Identity, Issuer: res.Issuer}, nil
}

// errNoSigner is wrapped when VEX is given but nothing says who may sign.
var errNoSigner = errors.New("signed VEX needs a signer to trust")

// newVerifier builds the verifier the inputs ask for: a key, or keyless
// identities checked against the trusted root (the file given, else the
// public-good root fetched through TUF within ctx).
func newVerifier(ctx context.Context, in *gate.Inputs) (SignatureVerifier, []evidence.Artifact, error) {
	if pemKey := in.String(inputPublicKey); pemKey != "" {
		if in.String(inputIdentity) != "" || in.String(inputIdentityRegexp) != "" {
			return nil, nil, gate.BadConfig(fmt.Errorf("input %q: give a key or a certificate identity, not both", inputPublicKey))
		}
		pub, err := sigstore.LoadPublicKey([]byte(pemKey))
		if err != nil {
			return nil, nil, gate.BadInputf(inputPublicKey, excerpt(pemKey), "%v", err)
		}
		v, err := sigstore.NewKeyVerifier(pub)
		if err != nil {
			return nil, nil, gate.BadInputf(inputPublicKey, excerpt(pemKey), "%v", err)
		}
		return &sigstoreVerifier{v: v}, nil, nil
	}
	id := &sigstore.Identity{Issuer: in.String(inputIssuer)}
	switch exact, re := in.String(inputIdentity), in.String(inputIdentityRegexp); {
	case exact != "" && re != "":
		return nil, nil, gate.BadConfig(fmt.Errorf("input %q and input %q: give one of them", inputIdentity, inputIdentityRegexp))
	case exact != "":
		id.SubjectRegexp = "^" + regexp.QuoteMeta(exact) + "$"
	case re != "":
		id.SubjectRegexp = re
	default:
		return nil, nil, gate.BadInputf(inputVEX, in.Raw(inputVEX), "%v: set certificate-identity, certificate-identity-regexp or public-key", errNoSigner)
	}
	var read []evidence.Artifact
	var tr *root.TrustedRoot
	if in.Path(inputTrustedRoot) != "" {
		f, err := readPathInput(in, inputTrustedRoot, maxBundleBytes)
		if err != nil {
			return nil, nil, err
		}
		parsed, err := sigstore.ParseTrustedRoot(f.data)
		if err != nil {
			return nil, nil, badFile(inputTrustedRoot, f.name, err)
		}
		tr, read = parsed, []evidence.Artifact{f.artifact()}
	} else {
		fetched, err := sigstore.FetchTrustedRoot(ctx, "")
		if err != nil {
			return nil, nil, err
		}
		tr = fetched
	}
	v, err := sigstore.NewKeylessVerifier(tr)
	if err != nil {
		return nil, nil, badFile(inputTrustedRoot, in.Raw(inputTrustedRoot), err)
	}
	return &sigstoreVerifier{v: v, id: id}, read, nil
}
