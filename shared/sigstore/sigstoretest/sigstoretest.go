package sigstoretest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	"github.com/go-openapi/runtime"
	"github.com/go-openapi/swag"
	"github.com/sigstore/rekor/pkg/generated/models"
	"github.com/sigstore/rekor/pkg/types"
	rekorutil "github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/hubgates/hub/shared/sigstore"
)

// ActionsIssuer is the OIDC issuer of GitHub Actions tokens, which the
// certificates name.
const ActionsIssuer = "https://token.actions.githubusercontent.com"

// RequestToken is the bearer token the OIDC endpoint expects, as the
// runner's ACTIONS_ID_TOKEN_REQUEST_TOKEN.
const RequestToken = "sigstoretest-request-token"

// Sigstore is a running private Sigstore. Its zero value is not usable;
// call [New], and Close when done.
type Sigstore struct {
	// OIDC, Fulcio and Rekor are the three services.
	OIDC, Fulcio, Rekor *httptest.Server

	rootCert, interCert *x509.Certificate
	interKey            *ecdsa.PrivateKey
	rekorKey            *ecdsa.PrivateKey
	logID               []byte
	created             time.Time

	mu       sync.Mutex
	workflow string            // job_workflow_ref of the next token
	tokens   map[string]claims // tokens issued, by value
	index    int64             // of the next entry; from 1, as sigstore-go refuses index 0
}

// claims are the fields of a GitHub Actions token the fakes use.
type claims struct {
	Sub            string `json:"sub"`
	Iss            string `json:"iss"`
	Aud            string `json:"aud"`
	JobWorkflowRef string `json:"job_workflow_ref"`
	Repository     string `json:"repository"`
	Ref            string `json:"ref"`
}

// New starts the three services. The tokens it issues name the workflow
// "hubgates/fixture/.github/workflows/ci.yml@refs/heads/main" until
// [Sigstore.SetWorkflow] changes it.
func New() (*Sigstore, error) {
	rootCert, rootKey, err := ca.GenerateRootCa()
	if err != nil {
		return nil, err
	}
	interCert, interKey, err := ca.GenerateFulcioIntermediate(rootCert, rootKey)
	if err != nil {
		return nil, err
	}
	rekorKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(rekorKey.Public())
	if err != nil {
		return nil, err
	}
	id := sha256.Sum256(der)
	s := &Sigstore{rootCert: rootCert, interCert: interCert, interKey: interKey, rekorKey: rekorKey,
		logID: id[:], created: time.Now(), tokens: map[string]claims{}, index: 1,
		workflow: "hubgates/fixture/.github/workflows/ci.yml@refs/heads/main"}
	s.OIDC = httptest.NewServer(http.HandlerFunc(s.serveToken))
	s.Fulcio = httptest.NewServer(http.HandlerFunc(s.serveCert))
	s.Rekor = httptest.NewServer(http.HandlerFunc(s.serveEntry))
	return s, nil
}

// Close stops the services.
func (s *Sigstore) Close() {
	s.OIDC.Close()
	s.Fulcio.Close()
	s.Rekor.Close()
}

// SetWorkflow sets the job_workflow_ref ("owner/repo/.github/workflows/
// file.yml@ref") of the tokens issued from now on; certificates name it as
// "https://github.com/<job_workflow_ref>", as Fulcio does for GitHub.
func (s *Sigstore) SetWorkflow(jobWorkflowRef string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.workflow = jobWorkflowRef
}

// TokenURL is the runner's ACTIONS_ID_TOKEN_REQUEST_URL for this instance.
func (s *Sigstore) TokenURL() string { return s.OIDC.URL + "/token?api-version=2.0" }

// Signer returns a keyless signer wired to this instance.
func (s *Sigstore) Signer() *sigstore.KeylessSigner {
	return &sigstore.KeylessSigner{
		Tokens: sigstore.ActionsToken{RequestURL: s.TokenURL(), RequestToken: RequestToken, Audience: "sigstore"},
		CA:     &sigstore.Fulcio{BaseURL: s.Fulcio.URL},
		Log:    &sigstore.Rekor{BaseURL: s.Rekor.URL},
	}
}

// TrustedRoot returns the trust material naming this instance's
// certificate authority and log.
func (s *Sigstore) TrustedRoot() (*root.TrustedRoot, error) {
	start := s.created.Add(-time.Hour)
	return root.NewTrustedRoot(root.TrustedRootMediaType01,
		[]root.CertificateAuthority{{Root: s.rootCert, Intermediates: []*x509.Certificate{s.interCert},
			ValidityPeriodStart: start, URI: s.Fulcio.URL}},
		nil, nil,
		map[string]*root.TransparencyLog{hex.EncodeToString(s.logID): {BaseURL: s.Rekor.URL, ID: s.logID,
			ValidityPeriodStart: start, HashFunc: crypto.SHA256, PublicKey: s.rekorKey.Public(), SignatureHashFunc: crypto.SHA256}})
}

// TrustedRootJSON returns [Sigstore.TrustedRoot] as trusted_root.json.
func (s *Sigstore) TrustedRootJSON() ([]byte, error) {
	tr, err := s.TrustedRoot()
	if err != nil {
		return nil, err
	}
	return tr.MarshalJSON()
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

// serveCert is Fulcio's POST /api/v2/signingCert.
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
	leaf, err := s.issue(ec, c)
	if err != nil {
		fail(w, http.StatusInternalServerError, "issuing: %v", err)
		return
	}
	chain := []string{}
	for _, cert := range []*x509.Certificate{leaf, s.interCert, s.rootCert} {
		chain = append(chain, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"signedCertificateEmbeddedSct": map[string]any{"chain": map[string]any{"certificates": chain}}})
}

// The Fulcio extension OIDs this instance sets: the issuer (deprecated
// raw form and the DER form that replaced it) and the GitHub workflow ref.
var (
	oidIssuerV1    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}
	oidIssuerV2    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}
	oidWorkflowRef = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 6}
)

// issue makes a ten-minute code-signing certificate for pub naming the
// token's workflow, as Fulcio does for GitHub Actions tokens.
func (s *Sigstore) issue(pub *ecdsa.PublicKey, c claims) (*x509.Certificate, error) {
	san, err := url.Parse("https://github.com/" + c.JobWorkflowRef)
	if err != nil {
		return nil, err
	}
	issuer, err := asn1.MarshalWithParams(c.Iss, "utf8")
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	now := time.Now().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		NotBefore:    now,
		NotAfter:     now.Add(10 * time.Minute),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		URIs:         []*url.URL{san},
		ExtraExtensions: []pkix.Extension{
			{Id: oidIssuerV1, Value: []byte(c.Iss)},
			{Id: oidIssuerV2, Value: issuer},
			{Id: oidWorkflowRef, Value: []byte(c.Ref)},
		},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.interCert, pub, s.interKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// serveEntry is Rekor's POST /api/v1/log/entries. Each entry is the single
// leaf of its own tree, so its inclusion proof is empty and its root is
// its leaf hash, checkpointed and signed like Rekor's.
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
	entry, err := types.CreateVersionedEntry(pe) // verifies the signature
	if err != nil {
		fail(w, http.StatusBadRequest, "entry refused: %v", err)
		return
	}
	body, err := types.CanonicalizeEntry(r.Context(), entry)
	if err != nil {
		fail(w, http.StatusBadRequest, "entry refused: %v", err)
		return
	}
	s.mu.Lock()
	index := s.index
	s.index++
	s.mu.Unlock()
	anon, uuid, err := s.logEntry(r.Context(), body, index)
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

func (s *Sigstore) logEntry(ctx context.Context, body []byte, index int64) (models.LogEntryAnon, string, error) {
	signer, err := signature.LoadECDSASignerVerifier(s.rekorKey, crypto.SHA256)
	if err != nil {
		return models.LogEntryAnon{}, "", err
	}
	now := time.Now().Unix()
	logID := hex.EncodeToString(s.logID)
	b64 := base64.StdEncoding.EncodeToString(body)
	payload, err := json.Marshal(tlog.RekorPayload{Body: b64, IntegratedTime: now, LogIndex: index, LogID: logID})
	if err != nil {
		return models.LogEntryAnon{}, "", err
	}
	canonical, err := jsoncanonicalizer.Transform(payload)
	if err != nil {
		return models.LogEntryAnon{}, "", err
	}
	set, err := signer.SignMessage(strings.NewReader(string(canonical)))
	if err != nil {
		return models.LogEntryAnon{}, "", err
	}
	leaf := rfc6962.DefaultHasher.HashLeaf(body)
	checkpoint, err := rekorutil.CreateAndSignCheckpoint(ctx, "rekor.sigstoretest", 1, 1, leaf, signer)
	if err != nil {
		return models.LogEntryAnon{}, "", err
	}
	return models.LogEntryAnon{
		Body:           b64,
		IntegratedTime: swag.Int64(now),
		LogID:          swag.String(logID),
		LogIndex:       swag.Int64(index),
		Verification: &models.LogEntryAnonVerification{
			SignedEntryTimestamp: set,
			InclusionProof: &models.InclusionProof{
				Checkpoint: swag.String(string(checkpoint)),
				Hashes:     []string{},
				LogIndex:   swag.Int64(0),
				RootHash:   swag.String(hex.EncodeToString(leaf)),
				TreeSize:   swag.Int64(1),
			},
		},
	}, hex.EncodeToString(leaf), nil
}
