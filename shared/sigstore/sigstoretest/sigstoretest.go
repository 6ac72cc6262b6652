package sigstoretest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"

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

// Chain returns the certificate authority's chain above the certificates
// it issues: the intermediate, then the root. Fulcio returns it with each
// certificate, and cosign stores it beside the signature.
func (s *Sigstore) Chain() []*x509.Certificate {
	return []*x509.Certificate{s.interCert, s.rootCert}
}

// TrustedRoot returns the trust material naming this instance's
// certificate authority and log.
func (s *Sigstore) TrustedRoot() (*root.TrustedRoot, error) {
	start := s.created.Add(-time.Hour)
	return root.NewTrustedRoot(root.TrustedRootMediaType01,
		[]root.CertificateAuthority{&root.FulcioCertificateAuthority{Root: s.rootCert, Intermediates: []*x509.Certificate{s.interCert},
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
