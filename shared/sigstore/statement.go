package sigstore

import (
	"encoding/json"
	"fmt"
)

// StatementPayload returns the in-toto statement a bundle's DSSE envelope
// carries, unverified, after checking the envelope's payload type is
// in-toto's and the statement's predicate type is predicateType. A bundle
// that does not parse is [ErrMalformedBundle]; any other mismatch wraps
// notIt (the caller's "not a drill record", say), with what was expected.
func StatementPayload(bundle []byte, predicateType string, notIt error) ([]byte, error) {
	var raw struct {
		DSSE *struct {
			Payload     []byte `json:"payload"`
			PayloadType string `json:"payloadType"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(bundle, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedBundle, err)
	}
	if raw.DSSE == nil || raw.DSSE.PayloadType != InTotoPayloadType {
		return nil, fmt.Errorf("%w: expected a DSSE envelope of %q", notIt, InTotoPayloadType)
	}
	var head struct {
		PredicateType string `json:"predicateType"`
	}
	if err := json.Unmarshal(raw.DSSE.Payload, &head); err != nil || head.PredicateType != predicateType {
		return nil, fmt.Errorf("%w: expected predicate type %q, got %q", notIt, predicateType, head.PredicateType)
	}
	return raw.DSSE.Payload, nil
}
