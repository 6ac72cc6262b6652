package provenancetest

import (
	"encoding/json"
	"fmt"

	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// ActionsIssuer is the OIDC issuer of GitHub Actions tokens.
const ActionsIssuer = sigstoretest.ActionsIssuer

// InTotoPayloadType is the DSSE payload type of in-toto statements.
const InTotoPayloadType = "application/vnd.in-toto+json"

// Run is the GitHub Actions run a certificate is issued to; see
// [sigstoretest.Run].
type Run = sigstoretest.Run

// Sigstore is a private Sigstore that signs attestations. Its zero value
// is not usable; call [New], and Close when done.
type Sigstore struct {
	*sigstoretest.Sigstore
}

// New starts a new instance.
func New() (*Sigstore, error) {
	s, err := sigstoretest.New()
	if err != nil {
		return nil, err
	}
	return &Sigstore{s}, nil
}

// Attestation is a signed in-toto statement in the forms tools store it.
type Attestation struct {
	sigstoretest.DSSE
	// PredicateType is the statement's predicate type.
	PredicateType string
}

// Attest signs statement for run as a DSSE envelope of in-toto payload
// type ([sigstoretest.Sigstore.SignDSSE]).
func (s *Sigstore) Attest(run Run, statement []byte) (*Attestation, error) {
	var st struct {
		PredicateType string `json:"predicateType"`
	}
	if err := json.Unmarshal(statement, &st); err != nil {
		return nil, fmt.Errorf("the statement: %w", err)
	}
	d, err := s.SignDSSE(run, InTotoPayloadType, statement)
	if err != nil {
		return nil, err
	}
	return &Attestation{DSSE: *d, PredicateType: st.PredicateType}, nil
}
