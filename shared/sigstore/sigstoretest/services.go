package sigstoretest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/go-openapi/runtime"
	"github.com/sigstore/fulcio/pkg/certificate"
	"github.com/sigstore/rekor/pkg/generated/models"
)

// claims are the fields of a GitHub Actions token the fakes use.
type claims struct {
	Sub            string `json:"sub"`
	Iss            string `json:"iss"`
	Aud            string `json:"aud"`
	JobWorkflowRef string `json:"job_workflow_ref"`
	Repository     string `json:"repository"`
	Ref            string `json:"ref"`
}

func fail(w http.ResponseWriter, code int, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": fmt.Sprintf(format, args...)})
}

// serveToken is the runner's token endpoint: GET with the request token as
// bearer, answering {"value": "<jwt>"}.
func (s *Sigstore) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.Header.Get("Authorization") != "bearer "+RequestToken {
		fail(w, http.StatusUnauthorized, "bad request token")
		return
	}
	s.mu.Lock()
	repo, _, _ := strings.Cut(s.workflow, "/.github/")
	_, ref, _ := strings.Cut(s.workflow, "@")
	c := claims{Sub: "repo:" + repo + ":ref:" + ref, Iss: ActionsIssuer, Aud: r.URL.Query().Get("audience"),
		JobWorkflowRef: s.workflow, Repository: repo, Ref: ref}
	token, err := s.signToken(c)
	if err != nil {
		s.mu.Unlock()
		fail(w, http.StatusInternalServerError, "signing the token: %v", err)
		return
	}
	s.tokens[token] = c
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"value": token})
}

// oidcKey signs the identity tokens of every instance in the process:
// RSA keys are slow to make, and the services recognise their tokens by
// value, so nothing verifies the signature.
var oidcKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// signToken makes a JWT of c signed with RS256, as GitHub Actions signs
// its OIDC tokens: clients such as cosign parse the token and take only a
// signed one for a token (cosign takes anything else for a file name).
func (s *Sigstore) signToken(c claims) (string, error) {
	key, err := oidcKey()
	if err != nil {
		return "", err
	}
	enc := func(v any) (string, error) {
		b, err := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b), err
	}
	head, err := enc(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "sigstoretest"})
	if err != nil {
		return "", err
	}
	body, err := enc(c)
	if err != nil {
		return "", err
	}
	digest := sha256.Sum256([]byte(head + "." + body))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", err
	}
	return head + "." + body + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// serveCert is Fulcio's certificate API: POST /api/v2/signingCert (JSON
// in and out, as sigstore-go and hub's client speak it) and the legacy
// POST /api/v1/signingCert that cosign v2 still uses (JSON in, the PEM
// chain out, the SCT in a header). Its certificates name the token's
// workflow, issuer and ref only; [Sigstore.Issue] makes ones with every
// claim of a GitHub Actions run. They carry no signed certificate
// timestamp (the trusted root names no CT log), so the legacy API sends
// an empty SCT header.
func (s *Sigstore) serveCert(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || (r.URL.Path != "/api/v2/signingCert" && r.URL.Path != "/api/v1/signingCert") {
		fail(w, http.StatusNotFound, "no such endpoint")
		return
	}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	c, ok := s.tokens[token]
	s.mu.Unlock()
	if !ok {
		fail(w, http.StatusUnauthorized, "the identity token was not issued by this instance")
		return
	}
	if c.Aud != "sigstore" {
		fail(w, http.StatusUnauthorized, "the identity token's audience is %q, not sigstore", c.Aud)
		return
	}
	legacy := r.URL.Path == "/api/v1/signingCert"
	var pemKey, proof string
	if legacy {
		// cosign v2's client (fulcio/pkg/api.CertificateRequest): the
		// PEM key and the proof as base64 of their bytes.
		var req struct {
			PublicKey struct {
				Content []byte `json:"content"`
			} `json:"publicKey"`
			SignedEmailAddress []byte `json:"signedEmailAddress"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			fail(w, http.StatusBadRequest, "bad request: %v", err)
			return
		}
		pemKey, proof = string(req.PublicKey.Content), base64.StdEncoding.EncodeToString(req.SignedEmailAddress)
	} else {
		var req struct {
			PublicKeyRequest struct {
				PublicKey struct {
					Algorithm string `json:"algorithm"`
					Content   string `json:"content"`
				} `json:"publicKey"`
				ProofOfPossession string `json:"proofOfPossession"`
			} `json:"publicKeyRequest"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			fail(w, http.StatusBadRequest, "bad request: %v", err)
			return
		}
		pemKey, proof = req.PublicKeyRequest.PublicKey.Content, req.PublicKeyRequest.ProofOfPossession
	}
	chain, code, err := s.issueFor(c, pemKey, proof)
	if err != nil {
		fail(w, code, "%v", err)
		return
	}
	if legacy {
		w.Header().Set("Content-Type", "application/pem-certificate-chain")
		w.Header().Set("SCT", "")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, strings.Join(chain, ""))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"signedCertificateEmbeddedSct": map[string]any{"chain": map[string]any{"certificates": chain}}})
}

// issueFor checks the proof of possession (the key's signature over the
// token's subject, base64) and issues a certificate for the PEM key, for
// the token's claims c. It returns the chain as PEM, leaf first, or the
// HTTP status and reason of a refusal.
func (s *Sigstore) issueFor(c claims, pemKey, proofB64 string) ([]string, int, error) {
	block, _ := pem.Decode([]byte(pemKey))
	if block == nil {
		return nil, http.StatusBadRequest, fmt.Errorf("the public key is not PEM")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("the public key does not parse: %v", err)
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	proof, perr := base64.StdEncoding.DecodeString(proofB64)
	digest := sha256.Sum256([]byte(c.Sub))
	if !ok || perr != nil || !ecdsa.VerifyASN1(ec, digest[:], proof) {
		return nil, http.StatusBadRequest, fmt.Errorf("the proof of possession does not verify")
	}
	san, err := url.Parse("https://github.com/" + c.JobWorkflowRef)
	if err != nil {
		return nil, http.StatusInternalServerError, fmt.Errorf("issuing: %v", err)
	}
	leaf, err := s.certify(ec, san, certificate.Extensions{Issuer: c.Iss, GithubWorkflowRef: c.Ref})
	if err != nil {
		return nil, http.StatusInternalServerError, fmt.Errorf("issuing: %v", err)
	}
	chain := []string{}
	for _, cert := range append([]*x509.Certificate{leaf}, s.Chain()...) {
		chain = append(chain, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})))
	}
	return chain, 0, nil
}

// serveEntry is Rekor's POST /api/v1/log/entries; see [Sigstore.logEntry].
func (s *Sigstore) serveEntry(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v1/log/entries" {
		fail(w, http.StatusNotFound, "no such endpoint")
		return
	}
	pe, err := models.UnmarshalProposedEntry(r.Body, runtime.JSONConsumer())
	if err != nil {
		fail(w, http.StatusBadRequest, "bad entry: %v", err)
		return
	}
	body, err := canonicalEntry(r.Context(), pe)
	if err != nil {
		fail(w, http.StatusBadRequest, "entry refused: %v", err)
		return
	}
	anon, uuid, err := s.logEntry(r.Context(), body)
	if err != nil {
		fail(w, http.StatusInternalServerError, "logging: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", uuid)
	w.Header().Set("Location", "/api/v1/log/entries/"+uuid)
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(models.LogEntry{uuid: anon})
}
