package provenance

import (
	"crypto/x509"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
)

// certificateSummary reads a Fulcio certificate's identity and extensions,
// for the message of a signature from an unexpected identity.
func certificateSummary(c *x509.Certificate) (certificate.Summary, error) {
	return certificate.SummarizeCertificate(c)
}
