package ociref_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/sigstore/cosign/v2/pkg/oci/static"
	ctypes "github.com/sigstore/cosign/v2/pkg/types"

	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// forgeEntry relogs the log entry of l's Rekor bundle annotation with its
// body's recorded digest (the hex string old) replaced by new, through a
// log that checks nothing, and returns l carrying that entry: a valid log
// entry (its signed entry timestamp verifies) whose only difference from
// the genuine one is the digest. With old == new it is the genuine body
// logged again, the control.
func forgeEntry(t *testing.T, s *sigstoretest.Sigstore, l ociref.CosignLayer, old, new string) ociref.CosignLayer {
	t.Helper()
	var rb struct {
		Payload struct {
			Body string `json:"body"`
		}
	}
	if err := json.Unmarshal([]byte(l.Annotations[ociref.AnnotationBundle]), &rb); err != nil {
		t.Fatal(err)
	}
	body, err := base64.StdEncoding.DecodeString(rb.Payload.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"value":"`+old+`"`) {
		t.Fatalf("the entry body does not record %s: %s", old, body)
	}
	forged, err := s.LogUnchecked([]byte(strings.Replace(string(body), `"value":"`+old+`"`, `"value":"`+new+`"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	ann, err := json.Marshal(forged)
	if err != nil {
		t.Fatal(err)
	}
	c := l
	c.Annotations = maps.Clone(l.Annotations)
	c.Annotations[ociref.AnnotationBundle] = string(ann)
	return c
}

// A cosign layer whose log entry is a valid entry differing from the
// genuine one only in the digest it records is refused
// (GHSA-whqx-f9j3-ch6m): sigstore-go checks the entry's signed timestamp,
// signature and certificate, all intact, but not what was signed.
//
// For a signature (".sig" layer, a hashedrekord entry) Rekor's own entry
// type already refuses such a body when the bundle is read, as it checks
// the recorded signature over the recorded digest. For an attestation
// (".att" layer, a dsse entry, which records hashes only) nothing but
// hub's check of the entry's body sees it: that is the check asserted.
func TestCosignLayerForgedLogEntry(t *testing.T) {
	s, v := keyless(t)
	id := &sigstore.Identity{SubjectRegexp: `^https://github\.com/`, Issuer: sigstoretest.ActionsIssuer}
	verify := func(l ociref.CosignLayer, artifact string) error {
		b, err := l.SigstoreBundle()
		if err != nil {
			return err
		}
		_, err = v.VerifyEntity(b, strings.NewReader(artifact), id)
		return err
	}
	hexSum := func(b []byte) string {
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:])
	}

	t.Run("signature", func(t *testing.T) {
		img := fakeImage(t, strings.Repeat("ab", 32))
		payload := ociref.Payload(img)
		sig, err := s.Signer().Sign(context.Background(), payload)
		if err != nil {
			t.Fatal(err)
		}
		l, err := ociref.CosignSignature(payload, sig.Bundle, nil)
		if err != nil {
			t.Fatal(err)
		}
		own := hexSum(payload)
		if err := verify(forgeEntry(t, s, l, own, own), string(payload)); err != nil {
			t.Fatalf("the genuine entry logged again: %v", err)
		}
		other := hexSum(ociref.Payload(fakeImage(t, strings.Repeat("cd", 32))))
		err = verify(forgeEntry(t, s, l, own, other), string(payload))
		if !errors.Is(err, ociref.ErrCosignLayer) && !errors.Is(err, sigstore.ErrSignatureInvalid) {
			t.Errorf("an entry recording another image's payload: got %v, want a refusal", err)
		}
	})

	t.Run("attestation", func(t *testing.T) {
		d := attest(t, s)
		layer, err := static.NewAttestation(d.Envelope, static.WithLayerMediaType(ctypes.DssePayloadType),
			static.WithCertChain(d.Certificate, d.Chain), static.WithBundle(d.Rekor))
		if err != nil {
			t.Fatal(err)
		}
		ann, err := layer.Annotations()
		if err != nil {
			t.Fatal(err)
		}
		l := ociref.CosignLayer{MediaType: ociref.DSSEMediaType, Payload: d.Envelope, Annotations: ann}
		var env struct {
			Payload []byte `json:"payload"`
		}
		if err := json.Unmarshal(d.Envelope, &env); err != nil {
			t.Fatal(err)
		}
		own := hexSum(env.Payload)
		if err := verify(forgeEntry(t, s, l, own, own), "app"); err != nil {
			t.Fatalf("the genuine entry logged again: %v", err)
		}
		other := hexSum([]byte(strings.Replace(string(env.Payload), `"name":"app"`, `"name":"evil"`, 1)))
		err = verify(forgeEntry(t, s, l, own, other), "app")
		if !errors.Is(err, sigstore.ErrSignatureInvalid) || !strings.Contains(err.Error(), "records a dsse entry over sha256:"+other) ||
			!strings.Contains(err.Error(), "a log entry of another signature") {
			t.Errorf("an entry recording another statement: got %v, want the body check's refusal", err)
		}
	})
}
