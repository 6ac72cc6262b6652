package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/sigstore/cosign/v3/pkg/oci/mutate"
	ociremote "github.com/sigstore/cosign/v3/pkg/oci/remote"
	"github.com/sigstore/cosign/v3/pkg/oci/static"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/dsse"
	"github.com/sigstore/sigstore/pkg/signature/payload"
)

// Predicate types of the attestations the probes carry.
const (
	PredicateSLSA      = "https://slsa.dev/provenance/v1"
	PredicateCycloneDX = "https://cyclonedx.org/bom"
)

// fakeRegistry is go-containerregistry's registry served over TLS in this
// process, with a transport that sends every registry host to it: the
// policies name real registries (ghcr.io/...), and no request may leave
// the machine.
type fakeRegistry struct {
	srv       *httptest.Server
	transport *http.Transport
}

func newFakeRegistry() *fakeRegistry {
	srv := httptest.NewTLSServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	addr := srv.Listener.Addr().String()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
		// httptest's certificate names example.com: verified against it
		// whatever host the request names, since every host is this
		// server.
		TLSClientConfig:   &tls.Config{RootCAs: pool, ServerName: "example.com", MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
	}
	return &fakeRegistry{srv: srv, transport: tr}
}

func (r *fakeRegistry) Close() { r.srv.Close() }

func (r *fakeRegistry) remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{remote.WithTransport(r.transport), remote.WithContext(ctx)}
}

// signer is the key the probes are signed with, made for the run.
type signer struct {
	sv        signature.SignerVerifier
	publicPEM string
}

func newSigner() (*signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	sv, err := signature.LoadECDSASignerVerifier(key, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	pem, err := cryptoutils.MarshalPublicKeyToPEM(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &signer{sv: sv, publicPEM: string(pem)}, nil
}

// image is one probe image in the fake registry.
type image struct {
	repo   name.Repository
	digest v1.Hash
}

func (i image) byDigest() string { return i.repo.String() + "@" + i.digest.String() }

// pushImage writes a new random image to repo:tag.
func (r *fakeRegistry) pushImage(ctx context.Context, repo, tag string) (image, error) {
	ref, err := name.NewTag(repo + ":" + tag)
	if err != nil {
		return image{}, fmt.Errorf("probe image %q: %w", repo, err)
	}
	img, err := random.Image(512, 1)
	if err != nil {
		return image{}, err
	}
	if err := remote.Write(ref, img, r.remoteOptions(ctx)...); err != nil {
		return image{}, fmt.Errorf("pushing probe image %s: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return image{}, err
	}
	return image{repo: ref.Context(), digest: d}, nil
}

// sign attaches a cosign signature of img made with s, as "cosign sign"
// writes it (the sha256-<hex>.sig tag).
func (r *fakeRegistry) sign(ctx context.Context, img image, s *signer) error {
	dig := img.repo.Digest(img.digest.String())
	pl, err := payload.Cosign{Image: dig}.MarshalJSON()
	if err != nil {
		return err
	}
	sig, err := s.sv.SignMessage(bytes.NewReader(pl))
	if err != nil {
		return err
	}
	osig, err := static.NewSignature(pl, base64.StdEncoding.EncodeToString(sig))
	if err != nil {
		return err
	}
	opts := ociremote.WithRemoteOptions(r.remoteOptions(ctx)...)
	se, err := ociremote.SignedEntity(dig, opts)
	if err != nil {
		return fmt.Errorf("reading %s to sign it: %w", dig, err)
	}
	se, err = mutate.AttachSignatureToEntity(se, osig)
	if err != nil {
		return err
	}
	return ociremote.WriteSignatures(img.repo, se, opts)
}

// attest attaches in-toto statements about img, each in a DSSE envelope
// signed with s, as "cosign attest" writes them (the sha256-<hex>.att tag).
func (r *fakeRegistry) attest(ctx context.Context, img image, s *signer, predicates map[string]any) error {
	dig := img.repo.Digest(img.digest.String())
	opts := ociremote.WithRemoteOptions(r.remoteOptions(ctx)...)
	se, err := ociremote.SignedEntity(dig, opts)
	if err != nil {
		return fmt.Errorf("reading %s to attest it: %w", dig, err)
	}
	wrapped := dsse.WrapSigner(s.sv, "application/vnd.in-toto+json")
	for _, pt := range sortedKeys(predicates) {
		stmt, err := json.Marshal(map[string]any{
			"_type":         "https://in-toto.io/Statement/v1",
			"predicateType": pt,
			"subject": []any{map[string]any{
				"name":   img.repo.String(),
				"digest": map[string]string{"sha256": strings.TrimPrefix(img.digest.String(), "sha256:")},
			}},
			"predicate": predicates[pt],
		})
		if err != nil {
			return err
		}
		env, err := wrapped.SignMessage(bytes.NewReader(stmt))
		if err != nil {
			return err
		}
		att, err := static.NewAttestation(env)
		if err != nil {
			return err
		}
		if se, err = mutate.AttachAttestationToEntity(se, att); err != nil {
			return err
		}
	}
	return ociremote.WriteAttestations(img.repo, se, opts)
}
