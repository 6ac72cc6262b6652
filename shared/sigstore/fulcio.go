package sigstore

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// CertificateAuthority certifies a public key for the identity in an OIDC
// token.
type CertificateAuthority interface {
	// Certificate returns the certificate chain for key's public half,
	// leaf first.
	Certificate(ctx context.Context, key crypto.Signer, token string) ([]*x509.Certificate, error)
}

// Fulcio is a client of a Fulcio certificate authority's v2 API
// (POST /api/v2/signingCert), such as https://fulcio.sigstore.dev.
type Fulcio struct {
	BaseURL string
	Client  *http.Client
	Retry   Retry
}

type fulcioRequest struct {
	PublicKeyRequest struct {
		PublicKey struct {
			Algorithm string `json:"algorithm"`
			Content   string `json:"content"`
		} `json:"publicKey"`
		ProofOfPossession string `json:"proofOfPossession"`
	} `json:"publicKeyRequest"`
}

type fulcioChain struct {
	Chain struct {
		Certificates []string `json:"certificates"`
	} `json:"chain"`
}

type fulcioResponse struct {
	Embedded *fulcioChain `json:"signedCertificateEmbeddedSct"`
	Detached *fulcioChain `json:"signedCertificateDetachedSct"`
}

// Certificate asks Fulcio for a code-signing certificate. The proof of
// possession is key's signature over the token's subject, as Fulcio
// requires; the token itself goes in the Authorization header.
func (f *Fulcio) Certificate(ctx context.Context, key crypto.Signer, token string) ([]*x509.Certificate, error) {
	subject, err := TokenSubject(token)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256([]byte(subject))
	proof, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("signing the proof of possession: %w", err)
	}
	pubPEM, err := MarshalPublicKey(key.Public())
	if err != nil {
		return nil, err
	}
	var req fulcioRequest
	req.PublicKeyRequest.PublicKey.Algorithm = "ECDSA"
	req.PublicKeyRequest.PublicKey.Content = string(pubPEM)
	req.PublicKeyRequest.ProofOfPossession = base64.StdEncoding.EncodeToString(proof)
	payload, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	body, err := f.Retry.Do(ctx, f.Client, "requesting a certificate from Fulcio at "+f.BaseURL, func(ctx context.Context) (*http.Request, error) {
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(f.BaseURL, "/")+"/api/v2/signingCert", bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", "application/json")
		return r, nil
	})
	if err != nil {
		return nil, err
	}
	var resp fulcioResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("%w: Fulcio's answer is not JSON: %v", ErrService, err)
	}
	chain := resp.Embedded
	if chain == nil {
		chain = resp.Detached
	}
	if chain == nil || len(chain.Chain.Certificates) == 0 {
		return nil, fmt.Errorf("%w: Fulcio answered without a certificate chain", ErrService)
	}
	var certs []*x509.Certificate
	for _, p := range chain.Chain.Certificates {
		for rest := []byte(p); ; {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("%w: Fulcio sent an unreadable certificate: %v", ErrService, err)
			}
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%w: Fulcio's chain holds no PEM certificate", ErrService)
	}
	if !publicKeysEqual(certs[0].PublicKey, key.Public()) {
		return nil, fmt.Errorf("%w: Fulcio certified another key than the one sent", ErrService)
	}
	return certs, nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	ae, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ae.Equal(b)
}

// TokenSubject returns the "sub" claim of a JWT without verifying it (the
// certificate authority verifies the token; the subject is only what the
// proof of possession signs).
func TokenSubject(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("%w: the OIDC token is not a JWT", ErrService)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", fmt.Errorf("%w: the OIDC token's claims are not base64url: %v", ErrService, err)
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		return "", fmt.Errorf("%w: the OIDC token's claims are not JSON: %v", ErrService, err)
	}
	if claims.Sub == "" {
		return "", errors.Join(ErrService, errors.New("the OIDC token has no sub claim"))
	}
	return claims.Sub, nil
}
