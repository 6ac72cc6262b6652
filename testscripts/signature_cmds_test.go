package testscripts

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// The sign and verify-signature scripts' commands, registered in
// TestScripts: an OCI registry for the script's images.
//
//	oci-registry [-no-referrers | -no-subject]
//	    start an in-process OCI registry (go-containerregistry's) for this
//	    script and set $REGISTRY to its host:port; with -no-referrers it
//	    lacks the referrers API, so referrers go to the sha256-<hex> tag;
//	    with -no-subject it also refuses every manifest that names a
//	    subject, as registries without OCI 1.1 support do
//	oci-push REF
//	    push a new random image to REF (a tag moves to it) and set
//	    $PUSHED_DIGEST to its digest and $PUSHED_SIG to its cosign
//	    signature tag, REPO:sha256-<hex>.sig
//	oci-push -copy SRC DST
//	    copy the image at SRC to DST, as someone moving a signature image
//	    onto another image's tag does
//	oci-push -tamper REF ANNOTATION
//	    rewrite the manifest at REF with one bit flipped in the base64
//	    value of ANNOTATION on its first layer, the layer left as it was
//
// The -copy and -tamper forms live under oci-push because the command
// table is shared with other gates' scripts; they push a manifest too.

func cmdOCIRegistry(ts *testscript.TestScript, neg bool, args []string) {
	referrers, refuseSubject := true, false
	if len(args) == 1 && args[0] == "-no-referrers" {
		referrers, args = false, args[1:]
	} else if len(args) == 1 && args[0] == "-no-subject" {
		referrers, refuseSubject, args = false, true, args[1:]
	}
	if neg || len(args) != 0 {
		ts.Fatalf("usage: oci-registry [-no-referrers | -no-subject]")
	}
	var h http.Handler = registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0)))
	if refuseSubject {
		h = refuseSubjects(h)
	}
	srv := httptest.NewServer(h)
	ts.Defer(srv.Close)
	ts.Setenv("REGISTRY", strings.TrimPrefix(srv.URL, "http://"))
}

// refuseSubjects answers a manifest naming a subject as registries that
// predate OCI 1.1 do: 400 MANIFEST_INVALID.
func refuseSubjects(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if bytes.Contains(body, []byte(`"subject"`)) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid: unknown field subject"}]}`)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

func cmdOCIPush(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) > 0 && args[0] == "-copy" {
		cmdOCICopy(ts, neg, args[1:])
		return
	}
	if len(args) > 0 && args[0] == "-tamper" {
		cmdOCITamper(ts, neg, args[1:])
		return
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: oci-push REF | oci-push -copy SRC DST | oci-push -tamper REF ANNOTATION")
	}
	ref, err := name.ParseReference(args[0])
	ts.Check(err)
	img, err := random.Image(256, 1)
	ts.Check(err)
	ts.Check(remote.Write(ref, img))
	h, err := img.Digest()
	ts.Check(err)
	ts.Setenv("PUSHED_DIGEST", h.String())
	ts.Setenv("PUSHED_SIG", ref.Context().Tag(h.Algorithm+"-"+h.Hex+".sig").String())
}

func cmdOCICopy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: oci-push -copy SRC DST")
	}
	src, err := name.ParseReference(args[0])
	ts.Check(err)
	dst, err := name.ParseReference(args[1])
	ts.Check(err)
	img, err := remote.Image(src)
	ts.Check(err)
	ts.Check(remote.Write(dst, img))
}

func cmdOCITamper(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: oci-push -tamper REF ANNOTATION")
	}
	ref, err := name.ParseReference(args[0])
	ts.Check(err)
	desc, err := remote.Get(ref)
	ts.Check(err)
	var m v1.Manifest
	ts.Check(json.Unmarshal(desc.Manifest, &m))
	if len(m.Layers) == 0 {
		ts.Fatalf("oci-push -tamper: %s has no layer", args[0])
	}
	val, ok := m.Layers[0].Annotations[args[1]]
	if !ok {
		ts.Fatalf("oci-push -tamper: the first layer of %s has no annotation %s", args[0], args[1])
	}
	raw, err := base64.StdEncoding.DecodeString(val)
	ts.Check(err)
	raw[len(raw)/2] ^= 1
	m.Layers[0].Annotations[args[1]] = base64.StdEncoding.EncodeToString(raw)
	b, err := json.Marshal(m)
	ts.Check(err)
	ts.Check(remote.Put(ref, ociRawManifest{raw: b, mediaType: desc.MediaType}))
}

// ociRawManifest is a remote.Taggable of manifest bytes.
type ociRawManifest struct {
	raw       []byte
	mediaType types.MediaType
}

func (m ociRawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m ociRawManifest) MediaType() (types.MediaType, error) { return m.mediaType, nil }

// cmdVault starts a HashiCorp Vault transit engine holding one ECDSA key
// named NAME, and sets VAULT_ADDR and VAULT_TOKEN as a step's env would,
// and VAULT_PUB to the key's public half (PEM). With -hang-sign, Vault
// answers everything but signing: a sign request creates READYFILE and
// then waits until the client gives up, so a script can signal a gate
// that is in the middle of signing.
//
//	vault [-hang-sign READYFILE] NAME
func cmdVault(ts *testscript.TestScript, neg bool, args []string) {
	ready := ""
	if len(args) == 3 && args[0] == "-hang-sign" {
		ready, args = ts.MkAbs(args[1]), args[2:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: vault [-hang-sign READYFILE] NAME")
	}
	v, err := sigstoretest.NewVault(args[0], nil)
	ts.Check(err)
	ts.Defer(v.Close)
	pub, err := v.PublicKeyPEM()
	ts.Check(err)
	addr := v.URL
	if ready != "" {
		target, err := url.Parse(v.URL)
		ts.Check(err)
		proxy := httputil.NewSingleHostReverseProxy(target)
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.URL.Path, "/v1/transit/sign/") {
				proxy.ServeHTTP(w, r)
				return
			}
			// The body read to its end lets the server notice the client
			// going away, which ends the request's context.
			_, _ = io.Copy(io.Discard, r.Body)
			if err := os.WriteFile(ready, nil, 0o644); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		ts.Defer(func() {
			close(release)
			srv.Close()
		})
		addr = srv.URL
	}
	ts.Setenv("VAULT_ADDR", addr)
	ts.Setenv("VAULT_TOKEN", v.Token)
	ts.Setenv("VAULT_PUB", string(pub))
}

// cmdAWSKMS starts an AWS KMS holding one ECDSA key with alias NAME and
// sets what a step's env gives the AWS SDK (credentials, AWS_REGION,
// AWS_CA_BUNDLE trusting the server), AWS_KMS_ENDPOINT for the reference
// awskms://$AWS_KMS_ENDPOINT/alias/NAME, and AWS_KMS_PUB (the key's public
// half, PEM).
//
//	awskms NAME
func cmdAWSKMS(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: awskms NAME")
	}
	k, err := sigstoretest.NewAWSKMS(args[0], nil)
	ts.Check(err)
	ts.Defer(k.Close)
	pub, err := k.PublicKeyPEM()
	ts.Check(err)
	bundle := ts.MkAbs(".aws-ca.pem")
	ts.Check(os.WriteFile(bundle, k.CertificatePEM(), 0o600))
	for name, value := range map[string]string{
		"AWS_CA_BUNDLE": bundle, "AWS_ACCESS_KEY_ID": k.AccessKeyID, "AWS_SECRET_ACCESS_KEY": "hub-test-secret",
		"AWS_REGION": "eu-west-1", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_KMS_ENDPOINT": k.Endpoint, "AWS_KMS_PUB": string(pub),
	} {
		ts.Setenv(name, value)
	}
}
