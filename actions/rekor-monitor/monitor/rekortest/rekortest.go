package rekortest

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
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"

	rekorutil "github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
)

// Failure makes the log misbehave.
type Failure int

// The failures a log can be set to.
const (
	// Healthy answers every call.
	Healthy Failure = iota
	// Unavailable answers every call with HTTP 503.
	Unavailable
	// Malformed answers every call with 200 and a body that is not JSON.
	Malformed
	// Hostile answers every call with HTTP 500 and a body made of workflow
	// commands, as a compromised or spoofed server could send, to prove
	// that what a server says never becomes a command in the log.
	Hostile
	// Hang never answers: the handler waits until the client goes away.
	Hang
)

// treeID is the active shard's ID the log reports.
const treeID = "1193050959916656506"

// Log is a running fake Rekor. Use [New]; Close when done.
type Log struct {
	Server *httptest.Server

	key    *ecdsa.PrivateKey
	signer signature.Signer

	mu      sync.Mutex
	tree    *testonly.Tree
	entries []entry
	failure Failure
	calls   map[string]int // requests served, by path
}

type entry struct {
	body string
	at   time.Time
}

// New starts an empty log.
func New() (*Log, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, err := signature.LoadECDSASignerVerifier(key, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	l := &Log{key: key, signer: signer, tree: testonly.New(rfc6962.DefaultHasher), calls: map[string]int{}}
	l.Server = httptest.NewServer(http.HandlerFunc(l.serve))
	return l, nil
}

// Close stops the server.
func (l *Log) Close() {
	l.Server.CloseClientConnections()
	l.Server.Close()
}

// URL is the log's base URL.
func (l *Log) URL() string { return l.Server.URL }

// PublicKeyPEM is the key the log signs checkpoints with.
func (l *Log) PublicKeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(l.key.Public())
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// SetFailure makes every later call fail as f says.
func (l *Log) SetFailure(f Failure) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failure = f
}

// Calls returns how many requests reached path.
func (l *Log) Calls(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[path]
}

// Size is the number of entries.
func (l *Log) Size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// Add appends a hashedrekord entry signed by a certificate naming
// identity (a URI SAN) and issuer, with the git ref ref, integrated at at.
func (l *Log) Add(identity, issuer, ref string, at time.Time) error {
	body, err := hashedRekord(identity, issuer, ref)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.append(body, at)
	return nil
}

func (l *Log) append(body string, at time.Time) {
	raw, _ := base64.StdEncoding.DecodeString(body)
	l.tree.AppendData(raw)
	l.entries = append(l.entries, entry{body: body, at: at})
}

// Fork rewrites the log's history: the same number of entries, the first
// one replaced, so every later tree head is inconsistent with any head
// seen before.
func (l *Log) Fork() error {
	body, err := hashedRekord("https://github.com/rewritten/history/.github/workflows/x.yml@refs/heads/main", "https://token.actions.githubusercontent.com", "refs/heads/main")
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.entries
	l.tree = testonly.New(rfc6962.DefaultHasher)
	l.entries = nil
	for i, e := range old {
		if i == 0 {
			e.body = body
		}
		l.append(e.body, e.at)
	}
	return nil
}

var (
	oidIssuerV1 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}
	oidIssuerV2 = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 8}
	oidRef      = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 14}
)

// hashedRekord makes a hashedrekord v0.0.1 entry body (base64 JSON) whose
// public key is a certificate for identity.
func hashedRekord(identity, issuer, ref string) (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	san, err := url.Parse(identity)
	if err != nil {
		return "", err
	}
	iss, err := asn1.MarshalWithParams(issuer, "utf8")
	if err != nil {
		return "", err
	}
	refDER, err := asn1.MarshalWithParams(ref, "utf8")
	if err != nil {
		return "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return "", err
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: serial, NotBefore: now.Add(-time.Minute), NotAfter: now.Add(10 * time.Minute),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		URIs:            []*url.URL{san},
		ExtraExtensions: []pkix.Extension{{Id: oidIssuerV1, Value: []byte(issuer)}, {Id: oidIssuerV2, Value: iss}, {Id: oidRef, Value: refDER}}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return "", err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	digest := sha256.Sum256([]byte(identity + now.String()))
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return "", err
	}
	body := map[string]any{"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": map[string]any{
		"data": map[string]any{"hash": map[string]any{"algorithm": "sha256", "value": hex.EncodeToString(digest[:])}},
		"signature": map[string]any{"content": base64.StdEncoding.EncodeToString(sig),
			"publicKey": map[string]any{"content": base64.StdEncoding.EncodeToString(certPEM)}},
	}}
	b, err := json.Marshal(body)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

func (l *Log) serve(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.calls[r.URL.Path]++
	failure := l.failure
	l.mu.Unlock()
	switch failure {
	case Unavailable:
		http.Error(w, `{"code":503,"message":"service unavailable"}`, http.StatusServiceUnavailable)
		return
	case Malformed:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`<html>not json`))
		return
	case Hostile:
		http.Error(w, "##[add-mask]s3cret\n::error::PWNED\r::set-output name=verdict::passed", http.StatusInternalServerError)
		return
	case Hang:
		<-r.Context().Done()
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/log":
		l.serveLog(w)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v1/log/proof":
		l.serveProof(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/log/entries/retrieve":
		l.serveEntries(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"code": 404, "message": "no such endpoint"})
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (l *Log) serveLog(w http.ResponseWriter) {
	l.mu.Lock()
	size := l.tree.Size()
	root := l.tree.Hash()
	l.mu.Unlock()
	tid, _ := strconv.ParseInt(treeID, 10, 64)
	sth, err := rekorutil.CreateAndSignCheckpoint(context.Background(), "rekor.rekortest", tid, size, root, l.signer)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"code": 500, "message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"rootHash": hex.EncodeToString(root), "treeSize": size,
		"signedTreeHead": string(sth), "treeID": treeID})
}

func (l *Log) serveProof(w http.ResponseWriter, r *http.Request) {
	first, err1 := strconv.ParseUint(r.URL.Query().Get("firstSize"), 10, 64)
	last, err2 := strconv.ParseUint(r.URL.Query().Get("lastSize"), 10, 64)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err1 != nil || err2 != nil || first > last || last > l.tree.Size() {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 400, "message": "bad firstSize or lastSize"})
		return
	}
	hashes, err := l.tree.ConsistencyProof(first, last)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"code": 400, "message": err.Error()})
		return
	}
	hx := []string{}
	for _, h := range hashes {
		hx = append(hx, hex.EncodeToString(h))
	}
	writeJSON(w, http.StatusOK, map[string]any{"rootHash": hex.EncodeToString(l.tree.HashAt(last)), "hashes": hx})
}

func (l *Log) serveEntries(w http.ResponseWriter, r *http.Request) {
	var q struct {
		LogIndexes []int64 `json:"logIndexes"`
	}
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil || len(q.LogIndexes) > 10 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"code": 422, "message": "bad query"})
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []map[string]any{}
	for _, i := range q.LogIndexes {
		if i < 0 || i >= int64(len(l.entries)) {
			continue
		}
		e := l.entries[i]
		uuid := hex.EncodeToString(l.tree.LeafHash(uint64(i)))
		out = append(out, map[string]any{uuid: map[string]any{"body": e.body, "integratedTime": e.at.Unix(),
			"logIndex": i, "logID": "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"}})
	}
	writeJSON(w, http.StatusOK, out)
}
