package monitor

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// Signer is an identity a log entry's certificate names.
type Signer struct {
	// Identity is the certificate's subject alternative name (a URI for
	// workflows, an email for people).
	Identity string `json:"identity"`
	// Issuer is the OIDC issuer the certificate names.
	Issuer string `json:"issuer,omitempty"`
	// Ref is the git ref of the build (Fulcio SourceRepositoryRef).
	Ref string `json:"ref,omitempty"`
}

// Signers reads the certificates an entry body carries, whatever its kind
// (hashedrekord, dsse, intoto...): every string in the body's spec that is
// base64 of a PEM certificate. An entry signed with a bare key has none.
func Signers(body string) ([]Signer, error) {
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("%w: entry body is not base64: %v", ErrMalformed, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%w: entry body is not JSON: %v", ErrMalformed, err)
	}
	var out []Signer
	seen := map[string]bool{}
	walkStrings(doc["spec"], func(s string) {
		if len(s) < 64 {
			return
		}
		dec, err := base64.StdEncoding.DecodeString(s)
		if err != nil || !strings.Contains(string(dec), "-----BEGIN CERTIFICATE-----") {
			return
		}
		for rest := dec; ; {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil || c.IsCA {
				continue
			}
			sum, err := certificate.SummarizeCertificate(c)
			if err != nil {
				continue
			}
			sg := Signer{Identity: sum.SubjectAlternativeName, Issuer: sum.Issuer, Ref: sum.SourceRepositoryRef}
			if key := sg.Identity + "\x00" + sg.Issuer; !seen[key] {
				seen[key] = true
				out = append(out, sg)
			}
		}
	})
	return out, nil
}

func walkStrings(v any, f func(string)) {
	switch v := v.(type) {
	case string:
		f(v)
	case map[string]any:
		for _, x := range v {
			walkStrings(x, f)
		}
	case []any:
		for _, x := range v {
			walkStrings(x, f)
		}
	}
}
