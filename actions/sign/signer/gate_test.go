package signer_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// execute runs the sign gate in-process in workspace ws with env.
func execute(t *testing.T, ws string, env map[string]string, args ...string) (gate.ExitCode, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := gate.Execute(context.Background(), signer.Gate, gate.Process{
		Args: args, Getenv: func(k string) string { return env[k] },
		Stdout: &stdout, Stderr: &stderr, Cwd: ws, Now: time.Now,
	})
	return code, stdout.String(), stderr.String()
}

func pkcs8(t *testing.T) (string, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), k
}

func TestSignKeyless(t *testing.T) {
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws := tree(t, map[string]string{"dist/a.tar.gz": "a", "dist/b.tar.gz": "bb"})
	env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": s.TokenURL(), "ACTIONS_ID_TOKEN_REQUEST_TOKEN": sigstoretest.RequestToken}
	code, stdout, stderr := execute(t, ws, env, "--artifacts=dist/*.tar.gz", "--fulcio-url="+s.Fulcio.URL, "--rekor-url="+s.Rekor.URL)
	if code != gate.Passed {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"bundles=dist/a.tar.gz.sigstore.json\ndist/b.tar.gz.sigstore.json\n",
		"identity=https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/heads/main\n",
		"issuer=" + sigstoretest.ActionsIssuer + "\n",
		"log-index=1\n2\n",
		"digests=sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb dist/a.tar.gz\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	tr, err := s.TrustedRoot()
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigstore.NewKeylessVerifier(tr)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(ws, "dist", "b.tar.gz.sigstore.json"))
	if err != nil {
		t.Fatal(err)
	}
	id := &sigstore.Identity{SubjectRegexp: `^https://github\.com/hubgates/fixture/`, Issuer: sigstoretest.ActionsIssuer}
	if _, err := v.Verify(b, []byte("bb"), id); err != nil {
		t.Errorf("b's bundle: %v", err)
	}
	if _, err := v.Verify(b, []byte("a"), id); !errors.Is(err, sigstore.ErrSignatureInvalid) {
		t.Errorf("b's bundle over a's bytes: %v", err)
	}
}

func TestSignWithKey(t *testing.T) {
	pemKey, k := pkcs8(t)
	ws := tree(t, map[string]string{"out.bin": "payload"})
	code, stdout, stderr := execute(t, ws, map[string]string{"INPUT_PRIVATE-KEY": pemKey}, "--artifacts=out.bin")
	if code != gate.Passed {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	id, _ := sigstore.KeyID(k.Public())
	if !strings.Contains(stdout, "identity="+id+"\n") || !strings.Contains(stdout, "log-index=\n") {
		t.Errorf("outputs:\n%s", stdout)
	}
	if strings.Contains(stdout+stderr, "PRIVATE KEY") {
		t.Error("the key was printed")
	}
	b, err := os.ReadFile(filepath.Join(ws, "out.bin.sigstore.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := sigstore.NewKeyVerifier(k.Public())
	if _, err := v.Verify(b, []byte("payload"), nil); err != nil {
		t.Error(err)
	}
}

func TestSignBadInputs(t *testing.T) {
	pemKey, _ := pkcs8(t)
	ws := tree(t, map[string]string{"a": "a"})
	tok := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:1/t", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "x"}
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, `input "artifacts": is required`},
		{nil, []string{"--artifacts=b"}, `input "artifacts": "b" does not exist (got "b")`},
		{nil, []string{"--artifacts=*.zip"}, `input "artifacts": matches no file (got "*.zip")`},
		{nil, []string{"--artifacts=../a"}, `input "artifacts": resolves outside the workspace (got "../a")`},
		{nil, []string{"--artifacts=a"}, `input "private-key": is empty, so signing is keyless, but the job has no OIDC token`},
		{tok, []string{"--artifacts=a", "--fulcio-url=http://fulcio.example"}, `input "fulcio-url": want an https:// URL`},
		{tok, []string{"--artifacts=a", "--rekor-url=rekor"}, `input "rekor-url": want an https:// URL`},
		{map[string]string{"INPUT_PRIVATE-KEY": "gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k"}, []string{"--artifacts=a"}, `input "private-key": KMS provider not supported`},
		{map[string]string{"INPUT_PRIVATE-KEY": "junk"}, []string{"--artifacts=a"}, `input "private-key": unusable key`},
		{map[string]string{"INPUT_PRIVATE-KEY": pemKey}, []string{"--artifacts=a", "--timeout=0s"}, `input "timeout": want a positive duration`},
	}
	for _, c := range cases {
		code, _, stderr := execute(t, ws, c.env, c.args...)
		if code != gate.BadInput || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(ws, "a.sigstore.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a bad input left a bundle: %v", err)
	}
}

// A Fulcio that never answers ends the run at the timeout, undecided,
// naming the service; nothing is written.
func TestSignTimeoutNamesTheService(t *testing.T) {
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hung.Close()
	defer close(release)
	ws := tree(t, map[string]string{"a": "a"})
	env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": s.TokenURL(), "ACTIONS_ID_TOKEN_REQUEST_TOKEN": sigstoretest.RequestToken}
	code, _, stderr := execute(t, ws, env, "--artifacts=a", "--fulcio-url="+hung.URL, "--rekor-url="+s.Rekor.URL, "--timeout=300ms")
	if code != gate.Undecided || !strings.Contains(stderr, "Fulcio at "+hung.URL) || !strings.Contains(stderr, "signing did not finish within the timeout of 300ms") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(ws, "a.sigstore.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a timed-out run left a bundle: %v", err)
	}
}

func TestSignImageAndFile(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	ref := strings.TrimPrefix(srv.URL, "http://") + "/acme/app:v1"
	img, err := random.Image(128, 1)
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.ParseReference(ref)
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	h, _ := img.Digest()
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws := tree(t, map[string]string{"sbom.json": "{}"})
	env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": s.TokenURL(), "ACTIONS_ID_TOKEN_REQUEST_TOKEN": sigstoretest.RequestToken}
	code, stdout, stderr := execute(t, ws, env, "--artifacts=sbom.json", "--images="+ref, "--fulcio-url="+s.Fulcio.URL, "--rekor-url="+s.Rekor.URL)
	if code != gate.Passed {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	digestRef := strings.TrimPrefix(srv.URL, "http://") + "/acme/app@" + h.String()
	for _, want := range []string{"images=" + digestRef + "\n", "log-index=1\n2\n", "Signed 1 file and 1 image as "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	resolved, err := ociref.Resolve(context.Background(), digestRef)
	if err != nil {
		t.Fatal(err)
	}
	bundles, err := ociref.Bundles(context.Background(), resolved)
	if err != nil || len(bundles) != 1 {
		t.Fatalf("%d bundles attached, %v", len(bundles), err)
	}
	tr, _ := s.TrustedRoot()
	v, _ := sigstore.NewKeylessVerifier(tr)
	id := &sigstore.Identity{SubjectRegexp: `^https://github\.com/hubgates/fixture/`, Issuer: sigstoretest.ActionsIssuer}
	if _, err := v.Verify(bundles[0], ociref.Payload(resolved), id); err != nil {
		t.Errorf("the attached bundle does not sign the image's payload: %v", err)
	}

	code, _, stderr = execute(t, ws, env, "--images=Not A Ref")
	if code != gate.BadInput || !strings.Contains(stderr, `input "images": bad image reference`) {
		t.Errorf("bad ref: exit %d, %s", code, stderr)
	}
}
