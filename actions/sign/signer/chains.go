package signer

import (
	"context"
	"crypto"
	"crypto/x509"
	"sync"

	"github.com/hubgates/hub/shared/sigstore"
)

// chainRecorder is a keyless signer's certificate authority that keeps the
// chain of each certificate it issues: a Sigstore bundle carries only the
// certificate, cosign's tag layout its chain too.
type chainRecorder struct {
	sigstore.CertificateAuthority
	mu     sync.Mutex
	chains map[string][]*x509.Certificate // above the leaf, by the leaf's DER
}

// recordChains returns s with its certificate authority wrapped in a
// recorder when s is keyless; a key signer is returned as it is, with a
// recorder that knows no chain.
func recordChains(s sigstore.Signer) (sigstore.Signer, *chainRecorder) {
	rec := &chainRecorder{chains: map[string][]*x509.Certificate{}}
	ks, ok := s.(*sigstore.KeylessSigner)
	if !ok || ks.CA == nil {
		return s, rec
	}
	rec.CertificateAuthority = ks.CA
	wrapped := *ks
	wrapped.CA = rec
	return &wrapped, rec
}

// Certificate asks the wrapped authority and keeps the chain.
func (r *chainRecorder) Certificate(ctx context.Context, key crypto.Signer, token string) ([]*x509.Certificate, error) {
	chain, err := r.CertificateAuthority.Certificate(ctx, key, token)
	if err == nil && len(chain) > 0 {
		r.mu.Lock()
		r.chains[string(chain[0].Raw)] = chain[1:]
		r.mu.Unlock()
	}
	return chain, err
}

// above returns the chain above the certificate of bundleJSON, nil when
// the bundle has none or the chain was not seen.
func (r *chainRecorder) above(bundleJSON []byte) []*x509.Certificate {
	b, err := sigstore.ParseBundle(bundleJSON)
	if err != nil {
		return nil
	}
	leaf := b.GetVerificationMaterial().GetCertificate().GetRawBytes()
	if leaf == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.chains[string(leaf)]
}
