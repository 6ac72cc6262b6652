package sigverify_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/actions/verify-signature/sigverify"
	"github.com/hubgates/hub/shared/fsroot"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

const identity = "https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/heads/main"

// tree writes files (path -> content) under a fresh workspace.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	ws, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for p, c := range files {
		write(t, filepath.Join(ws, filepath.FromSlash(p)), []byte(c))
	}
	return ws
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// execute runs verify-signature in-process in workspace ws.
func execute(t *testing.T, ws string, env map[string]string, args ...string) (gate.ExitCode, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := gate.Execute(context.Background(), sigverify.Gate, gate.Process{
		Args: args, Getenv: func(k string) string { return env[k] },
		Stdout: &stdout, Stderr: &stderr, Cwd: ws, Now: time.Now,
	})
	return code, stdout.String(), stderr.String()
}

// openRoot opens ws as the workspace root, closed with the test.
func openRoot(t *testing.T, ws string) *fsroot.Root {
	t.Helper()
	r, err := fsroot.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// signKeyless signs the workspace's files named by patterns with a
// private Sigstore and writes its trusted root to .sigstore/root.json.
func signKeyless(t *testing.T, ws string, patterns ...string) *sigstoretest.Sigstore {
	t.Helper()
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	root := openRoot(t, ws)
	arts, err := signer.Resolve(root, patterns)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signer.SignFiles(context.Background(), root, arts, s.Signer()); err != nil {
		t.Fatal(err)
	}
	js, err := s.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(ws, ".sigstore", "root.json"), js)
	return s
}

// noNetwork refuses, and counts, every HTTP request made through
// http.DefaultTransport while it is installed.
type noNetwork struct{ calls atomic.Int32 }

func (n *noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	n.calls.Add(1)
	return nil, errors.New("no network in this test")
}

// offline installs a noNetwork for the rest of the test; unless the test
// expects calls (the control), any call fails the test.
func offline(t *testing.T, expectCalls bool) *noNetwork {
	n := &noNetwork{}
	saved := http.DefaultTransport
	http.DefaultTransport = n
	t.Cleanup(func() {
		http.DefaultTransport = saved
		if !expectCalls && n.calls.Load() > 0 {
			t.Errorf("%d network calls in an offline verification", n.calls.Load())
		}
	})
	return n
}

// tripwire is a TUF mirror that counts what it is asked.
func tripwire(t *testing.T) (string, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &hits
}

// The tripwires catch a verification that goes to the network: without
// trusted-root the same run is undecided and both counted the attempt.
func TestTripwiresCatchNetworkUse(t *testing.T) {
	ws := tree(t, map[string]string{"a.bin": "a"})
	signKeyless(t, ws, "a.bin")
	mirror, hits := tripwire(t)
	n := offline(t, true)
	code, _, _ := execute(t, ws, nil, "--artifacts=a.bin", "--certificate-identity="+identity, "--tuf-mirror="+mirror)
	if code != gate.Undecided || n.calls.Load() == 0 || hits.Load() != 0 {
		t.Errorf("exit %d, %d transport calls, %d mirror hits; want 3, some calls and no hit (the transport refuses first)", code, n.calls.Load(), hits.Load())
	}
}

func TestKeylessOffline(t *testing.T) {
	ws := tree(t, map[string]string{"dist/a.tar.gz": "a", "dist/b.tar.gz": "bb"})
	signKeyless(t, ws, "dist/*.tar.gz")
	offline(t, false)
	mirror, hits := tripwire(t)
	defer func() {
		if hits.Load() != 0 {
			t.Errorf("the TUF mirror was asked %d times in an offline verification", hits.Load())
		}
	}()
	base := []string{"--artifacts=dist/*.tar.gz", "--trusted-root=.sigstore/root.json", "--tuf-mirror=" + mirror}
	run := func(extra ...string) (gate.ExitCode, string, string) {
		return execute(t, ws, nil, append(append([]string{}, base...), extra...)...)
	}

	code, stdout, stderr := run("--certificate-identity=" + identity)
	if code != gate.Passed {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"verified=true\n", "signers=" + identity + "\n",
		"digests=sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb dist/a.tar.gz\nsha256:"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = run(`--certificate-identity-regexp=^https://github\.com/hubgates/fixture/\.github/workflows/[^/@]+@refs/heads/main$`, "--github-ref=refs/heads/main")
	if code != gate.Passed {
		t.Errorf("regexp and ref: exit %d\n%s", code, stdout)
	}

	denied := []struct {
		args []string
		want string
	}{
		{[]string{"--certificate-identity=https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/heads/dev"},
			`[signer-untrusted]`},
		{[]string{"--certificate-identity=" + identity, "--certificate-oidc-issuer=https://accounts.google.com"},
			`issued by "https://token.actions.githubusercontent.com"`},
		{[]string{"--certificate-identity=" + identity, "--github-ref=refs/tags/v1.0.0"},
			`expected ref "refs/tags/v1.0.0", got "refs/heads/main" [claim-mismatch]`},
		{[]string{"--certificate-identity=" + identity, "--github-repository=hubgates/fixture"},
			`expected repository "hubgates/fixture", got a certificate that does not state one [claim-mismatch]`},
	}
	for _, c := range denied {
		code, stdout, stderr := run(c.args...)
		if code != gate.Denied || !strings.Contains(stdout, c.want) || !strings.Contains(stdout, "verified=false") {
			t.Errorf("%v: exit %d, want 1 and %q\n%s%s", c.args, code, c.want, stdout, stderr)
		}
	}
}

func TestKeylessTampering(t *testing.T) {
	files := map[string]string{"a.bin": "artifact"}
	cases := map[string]struct {
		tamper func(t *testing.T, ws string)
		want   string
	}{
		"edited artifact": {func(t *testing.T, ws string) { write(t, filepath.Join(ws, "a.bin"), []byte("artifacT")) }, "[signature-invalid]"},
		"edited signature": {func(t *testing.T, ws string) {
			editBundle(t, filepath.Join(ws, "a.bin.sigstore.json"), func(b map[string]any) {
				ms := b["messageSignature"].(map[string]any)
				sig, _ := base64.StdEncoding.DecodeString(ms["signature"].(string))
				sig[len(sig)-3] ^= 1
				ms["signature"] = base64.StdEncoding.EncodeToString(sig)
			})
		}, "[signature-invalid]"},
		"edited log entry": {func(t *testing.T, ws string) {
			editBundle(t, filepath.Join(ws, "a.bin.sigstore.json"), func(b map[string]any) {
				e := b["verificationMaterial"].(map[string]any)["tlogEntries"].([]any)[0].(map[string]any)
				e["integratedTime"] = "1000000000"
			})
		}, "[signature-invalid]"},
		"not a bundle":   {func(t *testing.T, ws string) { write(t, filepath.Join(ws, "a.bin.sigstore.json"), []byte("{")) }, "malformed sigstore bundle"},
		"missing bundle": {func(t *testing.T, ws string) { os.Remove(filepath.Join(ws, "a.bin.sigstore.json")) }, "no bundle at a.bin.sigstore.json [bundle-missing]"},
		"other trusted root": {func(t *testing.T, ws string) {
			other, err := sigstoretest.New()
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			js, _ := other.TrustedRootJSON()
			write(t, filepath.Join(ws, ".sigstore", "root.json"), js)
		}, "[signature-invalid]"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ws := tree(t, files)
			signKeyless(t, ws, "a.bin")
			args := []string{"--artifacts=a.bin", "--trusted-root=.sigstore/root.json", "--certificate-identity=" + identity}
			if code, stdout, _ := execute(t, ws, nil, args...); code != gate.Passed {
				t.Fatalf("untampered twin: exit %d\n%s", code, stdout)
			}
			c.tamper(t, ws)
			code, stdout, stderr := execute(t, ws, nil, args...)
			if code != gate.Denied || !strings.Contains(stdout, c.want) {
				t.Errorf("exit %d, want 1 and %q\n%s%s", code, c.want, stdout, stderr)
			}
		})
	}
}

func editBundle(t *testing.T, path string, edit func(map[string]any)) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	edit(b)
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, out)
}

func TestKeyFlow(t *testing.T) {
	ws := tree(t, map[string]string{"a.bin": "artifact"})
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, _ := sigstore.NewKeySigner(k)
	root := openRoot(t, ws)
	arts, _ := signer.Resolve(root, []string{"a.bin"})
	if _, err := signer.SignFiles(context.Background(), root, arts, s); err != nil {
		t.Fatal(err)
	}
	pub, _ := sigstore.MarshalPublicKey(k.Public())
	offline(t, false)
	code, stdout, stderr := execute(t, ws, map[string]string{"INPUT_PUBLIC-KEY": string(pub)}, "--artifacts=a.bin")
	id, _ := sigstore.KeyID(k.Public())
	if code != gate.Passed || !strings.Contains(stdout, "signers="+id+"\n") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherPub, _ := sigstore.MarshalPublicKey(other.Public())
	code, stdout, _ = execute(t, ws, map[string]string{"INPUT_PUBLIC-KEY": string(otherPub)}, "--artifacts=a.bin")
	if code != gate.Denied || !strings.Contains(stdout, "[signer-untrusted]") {
		t.Errorf("other key: exit %d\n%s", code, stdout)
	}
	// A keyed bundle is not a keyless signature by anyone.
	write(t, filepath.Join(ws, "root.json"), mustRoot(t))
	code, stdout, _ = execute(t, ws, nil, "--artifacts=a.bin", "--trusted-root=root.json", "--certificate-identity="+identity)
	if code != gate.Denied || !strings.Contains(stdout, "expected a keyless signature") {
		t.Errorf("keyed bundle under a keyless policy: exit %d\n%s", code, stdout)
	}
}

func mustRoot(t *testing.T) []byte {
	t.Helper()
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	js, err := s.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func TestBadInputs(t *testing.T) {
	ws := tree(t, map[string]string{"a.bin": "a", "b.bin": "b", "junk.json": "{}"})
	key := map[string]string{"INPUT_PUBLIC-KEY": "not a key"}
	cases := []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, `input "artifacts": is required`},
		{nil, []string{"--artifacts=c.bin"}, `input "artifacts": "c.bin" does not exist (got "c.bin")`},
		{nil, []string{"--artifacts=a.bin"}, `input "certificate-identity": is required: give certificate-identity, certificate-identity-regexp or public-key`},
		{nil, []string{"--artifacts=a.bin", "--certificate-identity=x", "--certificate-identity-regexp=y"}, `input "certificate-identity-regexp": is given with certificate-identity`},
		{nil, []string{"--artifacts=a.bin", "--certificate-identity-regexp=(x"}, `input "certificate-identity-regexp": not a regular expression`},
		{key, []string{"--artifacts=a.bin"}, `input "public-key": unusable key: expected a PEM "PUBLIC KEY" block (got "not a key")`},
		{key, []string{"--artifacts=a.bin", "--github-ref=refs/heads/main"}, `input "github-ref": applies to keyless signatures, but public-key is given (got "refs/heads/main")`},
		{nil, []string{"--artifacts=*.bin", "--bundle=x.json", "--certificate-identity=x"}, `input "bundle": names one bundle, but artifacts names 2 files`},
		{nil, []string{"--artifacts=a.bin", "--certificate-identity=x", "--trusted-root=junk.json"}, `input "trusted-root": unusable trusted root`},
		{nil, []string{"--artifacts=a.bin", "--certificate-identity=x", "--tuf-mirror=http://tuf.example"}, `input "tuf-mirror": want an https:// URL`},
		{nil, []string{"--artifacts=a.bin", "--certificate-identity=x", "--timeout=soon"}, `input "timeout": want a duration`},
	}
	for _, c := range cases {
		code, _, stderr := execute(t, ws, c.env, c.args...)
		if code != gate.BadInput || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// A TUF mirror that never answers ends the run at the timeout, undecided,
// with a message naming the mirror. Without the timeout this test hangs.
func TestHungMirrorTimesOut(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hung.Close()
	defer close(release)
	ws := tree(t, map[string]string{"a.bin": "a", "a.bin.sigstore.json": "{}"})
	code, stdout, stderr := execute(t, ws, nil, "--artifacts=a.bin", "--certificate-identity="+identity, "--tuf-mirror="+hung.URL, "--timeout=300ms")
	want := "fetching the Sigstore trusted root through TUF from " + hung.URL + ": verification did not finish within the timeout of 300ms"
	if code != gate.Undecided || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, want 3 and %q\n%s%s", code, want, stdout, stderr)
	}
}

// A mirror that refuses connections is exit 3 too: never a pass.
func TestUnreachableMirrorIsUndecided(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	ws := tree(t, map[string]string{"a.bin": "a", "a.bin.sigstore.json": "{}"})
	code, _, stderr := execute(t, ws, nil, "--artifacts=a.bin", "--certificate-identity="+identity, "--tuf-mirror="+url)
	if code != gate.Undecided || !strings.Contains(stderr, "through TUF from "+url) {
		t.Errorf("exit %d\n%s", code, stderr)
	}
}

// TestDigestInput verifies an artifact known by its digest only, as
// cosign verify-blob --digest does; its tampered twin (another digest)
// is denied as a signature over other bytes.
func TestDigestInput(t *testing.T) {
	ws := tree(t, map[string]string{"a.bin": "artifact"})
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, _ := sigstore.NewKeySigner(k)
	root := openRoot(t, ws)
	arts, _ := signer.Resolve(root, []string{"a.bin"})
	if _, err := signer.SignFiles(context.Background(), root, arts, s); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(ws, "a.bin")); err != nil { // the file is not needed
		t.Fatal(err)
	}
	pub, _ := sigstore.MarshalPublicKey(k.Public())
	env := map[string]string{"INPUT_PUBLIC-KEY": string(pub)}
	const sum = "1fd8a6b6a5ef3a4e4b2a7bd13d5a6b8b6c9c2f8b0e2bd5ba8cf7b8c0b1bc9df6"
	right := digestOf("artifact")
	code, stdout, stderr := execute(t, ws, env, "--digest="+right, "--bundle=a.bin.sigstore.json")
	if code != gate.Passed || !strings.Contains(stdout, "verified=true") {
		t.Fatalf("right digest: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = execute(t, ws, env, "--digest=sha256:"+sum, "--bundle=a.bin.sigstore.json")
	if code != gate.Denied || !strings.Contains(stdout, "the signature does not match sha256:"+sum) {
		t.Errorf("other digest: exit %d\n%s", code, stdout)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--digest=" + right}, `input "bundle": is required with digest`},
		{[]string{"--digest=sha256:abc", "--bundle=a.bin.sigstore.json"}, `input "digest"`},
		{[]string{"--digest=" + right, "--bundle=a.bin.sigstore.json", "--artifacts=a.bin.sigstore.json"}, `input "digest": is given with artifacts`},
		{[]string{"--digest=" + right, "--bundle=a.bin.sigstore.json", "--timestamp-threshold=0"}, `input "timestamp-threshold"`},
	} {
		if code, _, stderr := execute(t, ws, env, c.args...); code != gate.BadInput || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

func digestOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}
