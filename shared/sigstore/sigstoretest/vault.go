package sigstoretest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
)

// Vault is an in-process HashiCorp Vault transit secrets engine holding
// one ECDSA key: enough of Vault's HTTP API (GET /v1/transit/keys/<name>,
// POST or PUT /v1/transit/sign/<name>/<hash> with a prehashed input) for sigstore's
// hashivault provider to sign with it. Every request must carry the token
// in X-Vault-Token, as Vault requires.
type Vault struct {
	// URL is the server's address, VAULT_ADDR.
	URL string
	// Token is the only token the server accepts, VAULT_TOKEN.
	Token string
	// KeyName is the transit key's name: "hashivault://" + KeyName.
	KeyName string
	// Key is the transit key.
	Key *ecdsa.PrivateKey
	// Signed counts the signatures made.
	Signed atomic.Int64
	// Down makes every request fail with 503, as a sealed Vault answers.
	Down atomic.Bool
	// Hang makes every request wait until the server closes.
	Hang atomic.Bool

	srv     *httptest.Server
	closing chan struct{} // closed by Close, to release hung requests
}

// NewVault starts a transit engine with a new key on curve (P-256 when
// nil) named keyName.
func NewVault(keyName string, curve elliptic.Curve) (*Vault, error) {
	if curve == nil {
		curve = elliptic.P256()
	}
	key, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		return nil, err
	}
	v := &Vault{Token: "hvs.hub-test-token", KeyName: keyName, Key: key, closing: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/transit/keys/{name}", v.handleKey)
	// Vault takes a write as POST or PUT; its Go client sends PUT.
	mux.HandleFunc("POST /v1/transit/sign/{name}/{hash}", v.handleSign)
	mux.HandleFunc("PUT /v1/transit/sign/{name}/{hash}", v.handleSign)
	v.srv = httptest.NewServer(v.authorised(mux))
	v.URL = v.srv.URL
	return v, nil
}

// Close stops the server, releasing requests Hang holds.
func (v *Vault) Close() {
	close(v.closing)
	v.srv.Close()
}

// PublicKeyPEM returns the key's public half, PKIX PEM.
func (v *Vault) PublicKeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(&v.Key.PublicKey)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

func (v *Vault) authorised(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v.Hang.Load() {
			select {
			case <-r.Context().Done():
			case <-v.closing:
			}
			return
		}
		if v.Down.Load() {
			vaultError(w, http.StatusServiceUnavailable, "Vault is sealed")
			return
		}
		if r.Header.Get("X-Vault-Token") != v.Token {
			vaultError(w, http.StatusForbidden, "permission denied")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (v *Vault) handleKey(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("name") != v.KeyName {
		vaultError(w, http.StatusNotFound, "no such key")
		return
	}
	pub, err := v.PublicKeyPEM()
	if err != nil {
		vaultError(w, http.StatusInternalServerError, err.Error())
		return
	}
	name := map[int]string{256: "P-256", 384: "P-384", 521: "P-521"}[v.Key.Curve.Params().BitSize]
	vaultData(w, map[string]any{
		"name":           v.KeyName,
		"type":           "ecdsa-" + strings.ToLower(strings.ReplaceAll(name, "-", "")),
		"latest_version": 1,
		"keys":           map[string]any{"1": map[string]any{"name": name, "public_key": string(pub)}},
	})
}

func (v *Vault) handleSign(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("name") != v.KeyName {
		vaultError(w, http.StatusNotFound, "no such key")
		return
	}
	var req struct {
		Input     string `json:"input"`
		Prehashed bool   `json:"prehashed"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !req.Prehashed {
		vaultError(w, http.StatusBadRequest, "want a JSON body with a prehashed input")
		return
	}
	digest, err := base64.StdEncoding.DecodeString(req.Input)
	want := map[string]int{"sha2-256": 32, "sha2-384": 48, "sha2-512": 64}[r.PathValue("hash")]
	if err != nil || len(digest) != want {
		vaultError(w, http.StatusBadRequest, "input is not a digest of the named hash")
		return
	}
	sig, err := ecdsa.SignASN1(rand.Reader, v.Key, digest)
	if err != nil {
		vaultError(w, http.StatusInternalServerError, err.Error())
		return
	}
	v.Signed.Add(1)
	vaultData(w, map[string]any{"signature": "vault:v1:" + base64.StdEncoding.EncodeToString(sig), "key_version": 1})
}

func vaultData(w http.ResponseWriter, data any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data})
}

func vaultError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []string{msg}})
}
