package sigstoretest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
)

// AWSKMS is an in-process AWS KMS holding one ECDSA signing key, over
// HTTPS: enough of the KMS JSON 1.1 API (DescribeKey, GetPublicKey, Sign
// of a digest) for sigstore's awskms provider, which the reference
// "awskms://<Endpoint>/<KeyID or alias>" points at it. Clients trust its
// certificate through AWS_CA_BUNDLE (see CertificatePEM); it does not check
// request signatures, only that one is made with AccessKeyID.
type AWSKMS struct {
	// Endpoint is the server's host:port, for the reference.
	Endpoint string
	// KeyID is the key's ID; Alias ("alias/<name>") names it too.
	KeyID, Alias string
	// AccessKeyID is the only access key the server accepts.
	AccessKeyID string
	// Key is the signing key.
	Key *ecdsa.PrivateKey
	// Signed counts the signatures made.
	Signed atomic.Int64

	srv *httptest.Server
}

// NewAWSKMS starts a KMS with a new key on curve (P-256 when nil), known
// by a fixed ID and by alias "alias/<alias>".
func NewAWSKMS(alias string, curve elliptic.Curve) (*AWSKMS, error) {
	if curve == nil {
		curve = elliptic.P256()
	}
	key, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		return nil, err
	}
	k := &AWSKMS{KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab", Alias: "alias/" + alias, AccessKeyID: "AKIAHUBTEST", Key: key}
	k.srv = httptest.NewTLSServer(http.HandlerFunc(k.serve))
	k.Endpoint = strings.TrimPrefix(k.srv.URL, "https://")
	return k, nil
}

// Close stops the server.
func (k *AWSKMS) Close() { k.srv.Close() }

// CertificatePEM is the server's TLS certificate, for AWS_CA_BUNDLE.
func (k *AWSKMS) CertificatePEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.srv.Certificate().Raw})
}

// PublicKeyPEM returns the key's public half, PKIX PEM.
func (k *AWSKMS) PublicKeyPEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(&k.Key.PublicKey)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

func (k *AWSKMS) spec() (keySpec, alg string) {
	switch k.Key.Curve.Params().BitSize {
	case 384:
		return "ECC_NIST_P384", "ECDSA_SHA_384"
	case 521:
		return "ECC_NIST_P521", "ECDSA_SHA_512"
	}
	return "ECC_NIST_P256", "ECDSA_SHA_256"
}

func (k *AWSKMS) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.Contains(r.Header.Get("Authorization"), "Credential="+k.AccessKeyID+"/") {
		awsError(w, http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
		return
	}
	var req struct {
		KeyID            string `json:"KeyId"`
		Message          []byte `json:"Message"`
		MessageType      string `json:"MessageType"`
		SigningAlgorithm string `json:"SigningAlgorithm"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		awsError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	if req.KeyID != k.KeyID && req.KeyID != k.Alias {
		awsError(w, http.StatusBadRequest, "NotFoundException", "Key '"+req.KeyID+"' does not exist")
		return
	}
	keySpec, alg := k.spec()
	switch op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "TrentService."); op {
	case "DescribeKey":
		awsData(w, map[string]any{"KeyMetadata": map[string]any{
			"KeyId": k.KeyID, "Arn": "arn:aws:kms:eu-west-1:111122223333:key/" + k.KeyID, "Enabled": true,
			"KeyState": "Enabled", "KeyUsage": "SIGN_VERIFY", "KeySpec": keySpec, "CustomerMasterKeySpec": keySpec,
			"SigningAlgorithms": []string{alg},
		}})
	case "GetPublicKey":
		der, err := x509.MarshalPKIXPublicKey(&k.Key.PublicKey)
		if err != nil {
			awsError(w, http.StatusInternalServerError, "KMSInternalException", err.Error())
			return
		}
		awsData(w, map[string]any{"KeyId": k.KeyID, "PublicKey": der, "KeySpec": keySpec, "KeyUsage": "SIGN_VERIFY", "SigningAlgorithms": []string{alg}})
	case "Sign":
		if req.MessageType != "DIGEST" || req.SigningAlgorithm != alg || len(req.Message) != map[string]int{"ECDSA_SHA_256": 32, "ECDSA_SHA_384": 48, "ECDSA_SHA_512": 64}[alg] {
			awsError(w, http.StatusBadRequest, "ValidationException", "want a "+alg+" digest")
			return
		}
		sig, err := ecdsa.SignASN1(rand.Reader, k.Key, req.Message)
		if err != nil {
			awsError(w, http.StatusInternalServerError, "KMSInternalException", err.Error())
			return
		}
		k.Signed.Add(1)
		awsData(w, map[string]any{"KeyId": k.KeyID, "Signature": sig, "SigningAlgorithm": alg})
	default:
		awsError(w, http.StatusBadRequest, "UnknownOperationException", "unknown operation "+op)
	}
}

func awsData(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

func awsError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
