package provenancetest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	cbundle "github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	"github.com/sigstore/fulcio/pkg/certificate"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/rekor/pkg/pki"
	"github.com/sigstore/rekor/pkg/types"
	_ "github.com/sigstore/rekor/pkg/types/dsse/v0.0.1" // registers the dsse entry kind
	rekorutil "github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/transparency-dev/merkle/rfc6962"
	"google.golang.org/protobuf/encoding/protojson"
)

// ActionsIssuer is the OIDC issuer of GitHub Actions tokens.
const ActionsIssuer = "https://token.actions.githubusercontent.com"

// InTotoPayloadType is the DSSE payload type of in-toto statements.
const InTotoPayloadType = "application/vnd.in-toto+json"

// Sigstore is a private certificate authority and transparency log. Its
// zero value is not usable; call [New].
type Sigstore struct {
	rootCert, interCert *x509.Certificate
	interKey            *ecdsa.PrivateKey
	rekorKey            *ecdsa.PrivateKey
	logID               []byte
	created             time.Time

	mu    sync.Mutex
	index int64 // of the next entry; from 1, as sigstore-go refuses index 0
}

// New makes the keys and certificates of a new instance.
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
	return &Sigstore{rootCert: rootCert, interCert: interCert, interKey: interKey, rekorKey: rekorKey,
		logID: id[:], created: time.Now(), index: 1}, nil
}

// TrustedRoot returns the trust material naming this instance's
// certificate authority and log.
func (s *Sigstore) TrustedRoot() (*root.TrustedRoot, error) {
	start := s.created.Add(-time.Hour)
	return root.NewTrustedRoot(root.TrustedRootMediaType01,
		[]root.CertificateAuthority{{Root: s.rootCert, Intermediates: []*x509.Certificate{s.interCert},
			ValidityPeriodStart: start, URI: "https://fulcio.provenancetest.invalid"}},
		nil, nil,
		map[string]*root.TransparencyLog{hex.EncodeToString(s.logID): {BaseURL: "https://rekor.provenancetest.invalid", ID: s.logID,
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

// Run is the GitHub Actions run a certificate is issued to, as Fulcio
// reads it from the run's OIDC token.
type Run struct {
	// Workflow is the workflow that signs, with its ref:
	// "https://github.com/<owner>/<repo>/.github/workflows/<file>@<ref>".
	// It is the certificate's identity; for the SLSA generators, the
	// builder's (or delegator's) reusable workflow.
	Workflow string
	// Repository is the repository the run was for, "owner/repo".
	Repository string
	// Ref is the git ref the run was for ("refs/heads/main").
	Ref string
	// SHA is the commit; a fixed one when empty.
	SHA string
	// Event is the event that started the run; "push" when empty.
	Event string
	// ConfigPath is the run's top-level workflow file;
	// ".github/workflows/release.yml" when empty.
	ConfigPath string
}

func (r Run) withDefaults() Run {
	if r.SHA == "" {
		r.SHA = "4d329c75e7ec1725f7c9ce917a8799d408d06be3"
	}
	if r.Event == "" {
		r.Event = "push"
	}
	if r.ConfigPath == "" {
		r.ConfigPath = ".github/workflows/release.yml"
	}
	return r
}

// Attestation is a signed in-toto statement in the forms tools store it.
type Attestation struct {
	// Envelope is the DSSE envelope, as JSON.
	Envelope []byte
	// Bundle is the Sigstore bundle v0.3, as JSON.
	Bundle []byte
	// Certificate is the signing certificate, and Chain the certificates
	// above it, as PEM.
	Certificate, Chain []byte
	// Rekor is the log entry as cosign records it.
	Rekor *cbundle.RekorBundle
	// PredicateType is the statement's predicate type.
	PredicateType string
}

// Attest signs statement for run: a certificate for a new key, the DSSE
// envelope, and its log entry.
func (s *Sigstore) Attest(run Run, statement []byte) (*Attestation, error) {
	run = run.withDefaults()
	var st struct {
		PredicateType string `json:"predicateType"`
	}
	if err := json.Unmarshal(statement, &st); err != nil {
		return nil, fmt.Errorf("the statement: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leaf, err := s.issue(key.Public(), run)
	if err != nil {
		return nil, err
	}
	pae := dssePAE(InTotoPayloadType, statement)
	h := sha256.Sum256(pae)
	sig, err := ecdsa.SignASN1(rand.Reader, key, h[:])
	if err != nil {
		return nil, err
	}
	envelope, err := json.Marshal(map[string]any{"payloadType": InTotoPayloadType,
		"payload":    base64.StdEncoding.EncodeToString(statement),
		"signatures": []map[string]string{{"keyid": "", "sig": base64.StdEncoding.EncodeToString(sig)}}})
	if err != nil {
		return nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	chainPEM := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.interCert.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.rootCert.Raw})...)
	entry, rekor, err := s.logEntry(envelope, certPEM)
	if err != nil {
		return nil, err
	}
	b, err := protojson.Marshal(&protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:     &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: leaf.Raw}},
			TlogEntries: []*protorekor.TransparencyLogEntry{entry},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: statement, PayloadType: InTotoPayloadType, Signatures: []*protodsse.Signature{{Sig: sig}}}},
	})
	if err != nil {
		return nil, err
	}
	return &Attestation{Envelope: envelope, Bundle: b, Certificate: certPEM, Chain: chainPEM, Rekor: rekor,
		PredicateType: st.PredicateType}, nil
}

// dssePAE is DSSE's pre-authentication encoding, what is signed.
func dssePAE(payloadType string, payload []byte) []byte {
	return fmt.Appendf(nil, "DSSEv1 %d %s %d %s", len(payloadType), payloadType, len(payload), payload)
}

// issue makes a ten-minute code-signing certificate for pub with the
// claims Fulcio derives from a GitHub Actions token.
func (s *Sigstore) issue(pub crypto.PublicKey, r Run) (*x509.Certificate, error) {
	san, err := url.Parse(r.Workflow)
	if err != nil || san.Scheme != "https" || !strings.Contains(r.Workflow, "@") {
		return nil, fmt.Errorf("run workflow %q: want https://github.com/<owner>/<repo>/.github/workflows/<file>@<ref>", r.Workflow)
	}
	owner, _, ok := strings.Cut(r.Repository, "/")
	if !ok {
		return nil, fmt.Errorf("run repository %q: want owner/repo", r.Repository)
	}
	repoURL := "https://github.com/" + r.Repository
	exts, err := certificate.Extensions{
		Issuer:                              ActionsIssuer,
		GithubWorkflowTrigger:               r.Event,
		GithubWorkflowSHA:                   r.SHA,
		GithubWorkflowName:                  r.ConfigPath,
		GithubWorkflowRepository:            r.Repository,
		GithubWorkflowRef:                   r.Ref,
		BuildSignerURI:                      r.Workflow,
		BuildSignerDigest:                   r.SHA,
		RunnerEnvironment:                   "github-hosted",
		SourceRepositoryURI:                 repoURL,
		SourceRepositoryDigest:              r.SHA,
		SourceRepositoryRef:                 r.Ref,
		SourceRepositoryIdentifier:          "486325809",
		SourceRepositoryOwnerURI:            "https://github.com/" + owner,
		SourceRepositoryOwnerIdentifier:     "80431187",
		BuildConfigURI:                      repoURL + "/" + r.ConfigPath + "@" + r.Ref,
		BuildConfigDigest:                   r.SHA,
		BuildTrigger:                        r.Event,
		RunInvocationURI:                    repoURL + "/actions/runs/1/attempts/1",
		SourceRepositoryVisibilityAtSigning: "public",
	}.Render()
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	now := time.Now().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:    serial,
		NotBefore:       now.Add(-time.Minute),
		NotAfter:        now.Add(10 * time.Minute),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtKeyUsage:     []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		URIs:            []*url.URL{san},
		ExtraExtensions: exts,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.interCert, pub, s.interKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// logEntry logs the envelope as a Rekor "dsse" entry: the entry is the
// single leaf of its own tree, so its inclusion proof is empty and its
// root is its leaf hash, checkpointed and signed like Rekor's.
func (s *Sigstore) logEntry(envelope, certPEM []byte) (*protorekor.TransparencyLogEntry, *cbundle.RekorBundle, error) {
	ctx := context.Background()
	pe, err := types.NewProposedEntry(ctx, "dsse", "0.0.1", types.ArtifactProperties{
		ArtifactBytes: envelope, PublicKeyBytes: [][]byte{certPEM}, PKIFormat: string(pki.X509)})
	if err != nil {
		return nil, nil, err
	}
	entry, err := types.CreateVersionedEntry(pe) // verifies the envelope's signature
	if err != nil {
		return nil, nil, err
	}
	body, err := types.CanonicalizeEntry(ctx, entry)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	index := s.index
	s.index++
	s.mu.Unlock()
	now := time.Now().Unix()
	logID := hex.EncodeToString(s.logID)
	payload, err := json.Marshal(tlog.RekorPayload{Body: base64.StdEncoding.EncodeToString(body), IntegratedTime: now, LogIndex: index, LogID: logID})
	if err != nil {
		return nil, nil, err
	}
	canonical, err := jsoncanonicalizer.Transform(payload)
	if err != nil {
		return nil, nil, err
	}
	signer, err := signature.LoadECDSASignerVerifier(s.rekorKey, crypto.SHA256)
	if err != nil {
		return nil, nil, err
	}
	set, err := signer.SignMessage(strings.NewReader(string(canonical)))
	if err != nil {
		return nil, nil, err
	}
	leaf := rfc6962.DefaultHasher.HashLeaf(body)
	checkpoint, err := rekorutil.CreateAndSignCheckpoint(ctx, "rekor.provenancetest", 1, 1, leaf, signer)
	if err != nil {
		return nil, nil, err
	}
	if len(checkpoint) == 0 {
		return nil, nil, errors.New("empty checkpoint")
	}
	return &protorekor.TransparencyLogEntry{
			LogIndex:          index,
			LogId:             &protocommon.LogId{KeyId: s.logID},
			KindVersion:       &protorekor.KindVersion{Kind: "dsse", Version: "0.0.1"},
			IntegratedTime:    now,
			InclusionPromise:  &protorekor.InclusionPromise{SignedEntryTimestamp: set},
			InclusionProof:    &protorekor.InclusionProof{LogIndex: 0, RootHash: leaf, TreeSize: 1, Hashes: [][]byte{}, Checkpoint: &protorekor.Checkpoint{Envelope: string(checkpoint)}},
			CanonicalizedBody: body,
		}, &cbundle.RekorBundle{SignedEntryTimestamp: set,
			Payload: cbundle.RekorPayload{Body: base64.StdEncoding.EncodeToString(body), IntegratedTime: now, LogIndex: index, LogID: logID}},
		nil
}
