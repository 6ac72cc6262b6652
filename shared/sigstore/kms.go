package sigstore

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/sigstore/sigstore/pkg/signature/kms"
	// The KMS providers hub links are the two whose APIs are plain HTTPS
	// to one endpoint, so each is tested end to end against an in-process
	// server (sigstoretest.Vault, sigstoretest.AWSKMS). GCP's speaks gRPC
	// and Azure's needs Entra ID; neither is linked.
	awskms "github.com/sigstore/sigstore/pkg/signature/kms/aws"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/hashivault"
	"github.com/sigstore/sigstore/pkg/signature/options"
)

// ErrKMS: the key management service refused a request or could not be
// reached.
var ErrKMS = errors.New("KMS error")

// The reference schemes of the KMS keys [KMSSigner] supports.
const (
	// VaultScheme: keys held by HashiCorp Vault's transit engine,
	// "hashivault://<key name>".
	VaultScheme = "hashivault://"
	// AWSScheme: keys held by AWS KMS, "awskms://[endpoint]/<key ID, key
	// ARN, alias/<name> or alias ARN>" (the endpoint is optional:
	// "awskms:///alias/release").
	AWSScheme = "awskms://"
)

// KMSAuth is how a [KMSSigner] reaches its service. For Vault: the server's
// address (VAULT_ADDR), a token (VAULT_TOKEN) and the transit engine's mount
// path (TRANSIT_SECRET_ENGINE_PATH, default "transit"). For AWS, the SDK's
// own chain finds the credentials (AWS_ACCESS_KEY_ID and the rest, as
// aws-actions/configure-aws-credentials sets them); Region (AWS_REGION)
// is needed.
type KMSAuth struct {
	Address string
	Token   string
	Path    string
	Region  string
}

// KMSSigner signs with an ECDSA key held by a key management service, the
// way [KeySigner] signs with a local one: the bundle names the key by its
// ID and carries no transparency log entry. The service is first asked for
// the public key when Sign is first called, so a signer can be built while
// inputs are checked and fail with the service's answer when used.
type KMSSigner struct {
	ref  string
	auth KMSAuth

	mu  sync.Mutex
	key kms.SignerVerifier // once loaded; a failed load is tried again
	pub *ecdsa.PublicKey
}

// NewKMSSigner returns a signer for the key ref names. Vault ([VaultScheme])
// and AWS KMS ([AWSScheme]) references are supported; any other KMS
// reference wraps [ErrKMSUnsupported]. A Vault reference needs auth's
// address and token, an AWS one its region.
func NewKMSSigner(ref string, auth KMSAuth) (*KMSSigner, error) {
	ref = strings.TrimSpace(ref)
	if strings.HasPrefix(ref, AWSScheme) {
		if err := awskms.ValidReference(ref); err != nil {
			return nil, fmt.Errorf("%w: expected awskms://[endpoint]/<key ID, key ARN, alias/<name> or alias ARN>, got %q", ErrBadKey, ref)
		}
		// The SDK signs every request for a region and does not take it
		// from a key ARN.
		if auth.Region == "" {
			return nil, fmt.Errorf("%w: %s needs the key's region in AWS_REGION", ErrBadKey, ref)
		}
		return &KMSSigner{ref: ref, auth: auth}, nil
	}
	name, ok := strings.CutPrefix(ref, VaultScheme)
	switch {
	case !ok:
		scheme, _, _ := strings.Cut(ref, ":")
		return nil, fmt.Errorf("%w: %s: keys need a provider hub does not link; use an %s or %s key, a cosign key file's contents, or keyless signing", ErrKMSUnsupported, scheme, AWSScheme, VaultScheme)
	case name == "" || strings.Contains(name, "/"):
		return nil, fmt.Errorf("%w: expected %s<key name>, got %q", ErrBadKey, VaultScheme, ref)
	case auth.Address == "":
		return nil, fmt.Errorf("%w: %s needs the Vault server's address (VAULT_ADDR)", ErrBadKey, ref)
	case auth.Token == "":
		return nil, fmt.Errorf("%w: %s needs a Vault token (VAULT_TOKEN)", ErrBadKey, ref)
	}
	return &KMSSigner{ref: ref, auth: auth}, nil
}

// Sign signs artifact with the KMS key. Errors from the service wrap
// [ErrKMS]; a key that is not ECDSA on P-256, P-384 or P-521 wraps
// [ErrUnsupportedKey]. It returns when ctx ends even if the provider does
// not watch it (Vault's client does not): the call is then abandoned to
// its own HTTP timeout, and ctx's error is returned.
func (s *KMSSigner) Sign(ctx context.Context, artifact []byte) (*Signature, error) {
	return s.SignReader(ctx, bytes.NewReader(artifact))
}

// SignReader is [KMSSigner.Sign] for an artifact streamed from r.
func (s *KMSSigner) SignReader(ctx context.Context, artifact io.Reader) (*Signature, error) {
	type result struct {
		sig *Signature
		err error
	}
	done := make(chan result, 1)
	go func() {
		sig, err := s.sign(ctx, artifact)
		done <- result{sig, err}
	}()
	select {
	case r := <-done:
		return r.sig, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %s did not answer: %w", ErrKMS, s.ref, context.Cause(ctx))
	}
}

func (s *KMSSigner) sign(ctx context.Context, artifact io.Reader) (*Signature, error) {
	ks, err := s.keySigner(ctx)
	if err != nil {
		return nil, err
	}
	return ks.SignReader(ctx, artifact)
}

// keySigner returns a [KeySigner] over the service's key, asking the
// service for the public key the first time.
func (s *KMSSigner) keySigner(ctx context.Context) (*KeySigner, error) {
	// The lock is not held while the service is asked: a call abandoned
	// to a hung service must not block the next.
	s.mu.Lock()
	sv, pub := s.key, s.pub
	s.mu.Unlock()
	if sv == nil {
		var err error
		if sv, pub, err = s.load(ctx); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.key, s.pub = sv, pub
		s.mu.Unlock()
	}
	// The crypto.Signer carries the context of its calls, so each Sign
	// makes its own.
	cs, _, err := sv.CryptoSigner(ctx, func(error) {})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrKMS, s.ref, err)
	}
	ks, err := NewKeySigner(kmsKey{Signer: cs, pub: pub})
	if err != nil {
		return nil, err
	}
	ks.wrapSignErr = func(err error) error { return fmt.Errorf("%w: signing with %s: %v", ErrKMS, s.ref, err) }
	return ks, nil
}

// load asks the service for the public key and picks the hash cosign
// pairs with its curve.
func (s *KMSSigner) load(ctx context.Context) (kms.SignerVerifier, *ecdsa.PublicKey, error) {
	get := func(h crypto.Hash) (kms.SignerVerifier, error) {
		sv, err := kms.Get(ctx, s.ref, h, options.WithContext(ctx),
			options.WithRPCAuthOpts(options.RPCAuth{Address: s.auth.Address, Token: s.auth.Token, Path: s.auth.Path}))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrKMS, s.ref, err)
		}
		return sv, nil
	}
	sv, err := get(crypto.SHA256)
	if err != nil {
		return nil, nil, err
	}
	pub, err := sv.PublicKey(options.WithContext(ctx))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: reading the public key of %s: %v", ErrKMS, s.ref, err)
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s: expected an ECDSA key, got %T", ErrUnsupportedKey, s.ref, pub)
	}
	h, _, err := hashFor(ec)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", s.ref, err)
	}
	if h != crypto.SHA256 {
		if sv, err = get(h); err != nil {
			return nil, nil, err
		}
	}
	return sv, ec, nil
}

// kmsKey is the service's crypto.Signer with the public key already read,
// so asking for it again makes no call.
type kmsKey struct {
	crypto.Signer
	pub *ecdsa.PublicKey
}

func (k kmsKey) Public() crypto.PublicKey { return k.pub }
