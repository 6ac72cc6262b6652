package sigstoretest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"strings"

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
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	token := enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." + enc(c) + "." + base64.RawURLEncoding.EncodeToString(nonce)
	s.tokens[token] = c
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"value": token})
}

// serveCert is Fulcio's POST /api/v2/signingCert. Its certificates name
// the token's workflow, issuer and ref only; [Sigstore.Issue] makes ones
// with every claim of a GitHub Actions run.
func (s *Sigstore) serveCert(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/v2/signingCert" {
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
	block, _ := pem.Decode([]byte(req.PublicKeyRequest.PublicKey.Content))
	if block == nil {
		fail(w, http.StatusBadRequest, "the public key is not PEM")
		return
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		fail(w, http.StatusBadRequest, "the public key does not parse: %v", err)
		return
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	proof, perr := base64.StdEncoding.DecodeString(req.PublicKeyRequest.ProofOfPossession)
	digest := sha256.Sum256([]byte(c.Sub))
	if !ok || perr != nil || !ecdsa.VerifyASN1(ec, digest[:], proof) {
		fail(w, http.StatusBadRequest, "the proof of possession does not verify")
		return
	}
	san, err := url.Parse("https://github.com/" + c.JobWorkflowRef)
	if err != nil {
		fail(w, http.StatusInternalServerError, "issuing: %v", err)
		return
	}
	leaf, err := s.certify(ec, san, certificate.Extensions{Issuer: c.Iss, GithubWorkflowRef: c.Ref})
	if err != nil {
		fail(w, http.StatusInternalServerError, "issuing: %v", err)
		return
	}
	chain := []string{}
	for _, cert := range append([]*x509.Certificate{leaf}, s.Chain()...) {
		chain = append(chain, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"signedCertificateEmbeddedSct": map[string]any{"chain": map[string]any{"certificates": chain}}})
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
