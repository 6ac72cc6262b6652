package sigstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/secure-systems-lab/go-securesystemslib/dsse"
	rekortilespb "github.com/sigstore/rekor-tiles/v2/pkg/generated/protobuf"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"
)

// checkEntryBodies requires every transparency log entry of e to record
// what e signs: for a message signature, a hashedrekord entry over the
// bundle's message digest; for a DSSE envelope, a dsse or intoto entry
// over the envelope's payload. sigstore-go compares an entry's signature
// and key with the bundle's but not what was signed (GHSA-whqx-f9j3-ch6m),
// so without this an entry logged for other bytes, with its signed entry
// timestamp intact, would vouch for this signature.
func checkEntryBodies(e verify.SignedEntity, entries []*tlog.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	sc, err := e.SignatureContent()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformedBundle, err)
	}
	// wants are the records that describe this signature: one for a
	// message signature; for a DSSE envelope a dsse (or intoto) entry over
	// its payload, or a hashedrekord entry over its signed bytes (the
	// DSSE pre-authentication encoding), as some Rekor v2 clients log it.
	var wants []entryDigest
	if ms := sc.MessageSignatureContent(); ms != nil {
		wants = append(wants, entryDigest{kind: "hashedrekord", alg: normalAlgorithm(ms.DigestAlgorithm()), value: ms.Digest()})
	} else if env := sc.EnvelopeContent(); env != nil && env.RawEnvelope() != nil {
		raw := env.RawEnvelope()
		payload, err := raw.DecodeB64Payload()
		if err != nil {
			return fmt.Errorf("%w: the DSSE payload is not base64: %v", ErrMalformedBundle, err)
		}
		sum := sha256.Sum256(payload)
		pae := sha256.Sum256(dsse.PAE(raw.PayloadType, payload))
		wants = append(wants, entryDigest{kind: "dsse", alg: "sha256", value: sum[:]}, entryDigest{kind: "hashedrekord", alg: "sha256", value: pae[:]})
	} else {
		return fmt.Errorf("%w: neither a message signature nor a DSSE envelope", ErrMalformedBundle)
	}
	for i, en := range entries {
		got, err := bodyDigest(en.TransparencyLogEntry().GetCanonicalizedBody())
		if err != nil {
			return fmt.Errorf("%w: transparency log entry %d: %v", ErrSignatureInvalid, i+1, err)
		}
		if !slices.ContainsFunc(wants, got.matches) {
			return fmt.Errorf("%w: transparency log entry %d records a %s entry over %s:%s, not this bundle's signature over %s:%s (a log entry of another signature)",
				ErrSignatureInvalid, i+1, got.kind, normalAlgorithm(got.alg), hex.EncodeToString(got.value), wants[0].alg, hex.EncodeToString(wants[0].value))
		}
	}
	return nil
}

func (d entryDigest) matches(want entryDigest) bool {
	return d.kind == want.kind && normalAlgorithm(d.alg) == want.alg && bytes.Equal(d.value, want.value)
}

// entryDigest is what a log entry body says was signed: for hashedrekord,
// the artifact digest; for dsse and intoto, the hash of the payload.
type entryDigest struct {
	kind  string // "hashedrekord" or "dsse" (intoto entries count as dsse)
	alg   string
	value []byte
}

// rekorV1Body is the part of a Rekor v1 entry body (hashedrekord 0.0.1,
// dsse 0.0.1, intoto 0.0.2) naming what was signed.
type rekorV1Body struct {
	Kind       string `json:"kind"`
	APIVersion string `json:"apiVersion"`
	Spec       struct {
		Data struct {
			Hash *v1Hash `json:"hash"`
		} `json:"data"`
		PayloadHash *v1Hash `json:"payloadHash"`
		Content     struct {
			PayloadHash *v1Hash `json:"payloadHash"`
		} `json:"content"`
	} `json:"spec"`
}

type v1Hash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

func (h *v1Hash) digest(kind string) (entryDigest, error) {
	if h == nil {
		return entryDigest{}, fmt.Errorf("the %s entry states no digest", kind)
	}
	v, err := hex.DecodeString(h.Value)
	if err != nil {
		return entryDigest{}, fmt.Errorf("the %s entry's digest %q is not hex", kind, h.Value)
	}
	return entryDigest{kind: kind, alg: h.Algorithm, value: v}, nil
}

// bodyDigest reads a canonicalized entry body, Rekor v1 (JSON with kind
// and apiVersion) or Rekor v2 (the rekor.v2.Entry message as JSON).
func bodyDigest(body []byte) (entryDigest, error) {
	var v1 rekorV1Body
	if err := json.Unmarshal(body, &v1); err != nil {
		return entryDigest{}, fmt.Errorf("the entry body is not JSON: %v", err)
	}
	switch {
	case v1.Kind == "hashedrekord" && v1.APIVersion == "0.0.1":
		return v1.Spec.Data.Hash.digest("hashedrekord")
	case v1.Kind == "dsse" && v1.APIVersion == "0.0.1":
		return v1.Spec.PayloadHash.digest("dsse")
	case v1.Kind == "intoto" && v1.APIVersion == "0.0.2":
		d, err := v1.Spec.Content.PayloadHash.digest("intoto")
		d.kind = "dsse"
		return d, err
	}
	var v2 rekortilespb.Entry
	if err := protojson.Unmarshal(body, &v2); err != nil {
		return entryDigest{}, fmt.Errorf("unsupported entry kind %q version %q", v1.Kind, v1.APIVersion)
	}
	switch {
	case v2.GetSpec().GetHashedRekordV002() != nil:
		d := v2.GetSpec().GetHashedRekordV002().GetData()
		return entryDigest{kind: "hashedrekord", alg: d.GetAlgorithm().String(), value: d.GetDigest()}, nil
	case v2.GetSpec().GetDsseV002() != nil:
		d := v2.GetSpec().GetDsseV002().GetPayloadHash()
		return entryDigest{kind: "dsse", alg: d.GetAlgorithm().String(), value: d.GetDigest()}, nil
	}
	return entryDigest{}, fmt.Errorf("unsupported entry kind %q version %q", v2.GetKind(), v2.GetApiVersion())
}
