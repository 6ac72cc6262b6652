package provenance

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/sigstore"
)

// The real provenance of slsa-verifier's test data (see testdata/NOTICE).
const (
	genericBuilder = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
	exampleSource  = "github.com/slsa-framework/example-package"
	// genericArtifact is the SHA-256 of gha_generic/v2.1.0's binary, the
	// same file for every event (the 1.4 MB binary is not copied).
	genericArtifact = "sha256:376e7e01348585b6e6643bc6663146b9d525d9b41228bf180eaeb4d4a3706caa"
	bcrBuilder      = "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml"
	bcrSource       = "github.com/aspect-build/rules_lint"
)

func newOffline(t *testing.T) *Offline {
	t.Helper()
	tr, err := sigstore.LoadTrustedRoot(filepath.Join("testdata", "trusted_root_pgi.json"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := NewOffline(tr)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustDigest(t *testing.T, s string) digest.Digest {
	t.Helper()
	d, err := digest.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func moduleDigest(t *testing.T) digest.Digest {
	t.Helper()
	d, _, err := digest.FromFile(digest.SHA256, filepath.Join("testdata", "MODULE.bazel"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestOfflineRealProvenance verifies slsa-verifier's own test provenance
// offline: each expected pass passes, each wrong builder, source, tag,
// branch, artifact and tampered bundle fails with its reason.
func TestOfflineRealProvenance(t *testing.T) {
	o := newOffline(t)
	generic := mustDigest(t, genericArtifact)
	module := moduleDigest(t)
	other := mustDigest(t, "sha256:"+strings.Repeat("ab", 32))
	tests := []struct {
		name     string
		file     string
		artifact digest.Digest
		policy   Policy
		want     error // nil: passes
		wantText string
	}{
		{"dispatch main", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceBranch: "main"}, nil, ""},
		{"dispatch pinned builder", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder + "@v2.1.0"}, nil, ""},
		{"dispatch builder ref form", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", generic,
			Policy{SourceURI: "https://github.com/slsa-framework/example-package", BuilderID: genericBuilder + "@refs/tags/v2.1.0"}, nil, ""},
		{"tag exact", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceTag: "v13.0.30"}, nil, ""},
		{"versioned tag", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v13.0"}, nil, ""},
		{"tag pushed from main", "binary-linux-amd64-push-v14.2.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceBranch: "main", SourceVersionedTag: "v14"}, nil, ""},
		{"github attestation", "MODULE.bazel.intoto.jsonl", module,
			Policy{SourceURI: bcrSource, BuilderID: bcrBuilder, SourceBranch: "publish-to-bcr"}, nil, ""},

		{"wrong builder", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml"},
			ErrUntrustedBuilder, `got "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.1.0"`},
		{"wrong builder version", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder + "@v2.0.0"}, ErrUntrustedBuilder, "@v2.0.0"},
		{"wrong signer (bcr)", "MODULE-wrong-signer.bazel.intoto.jsonl", module,
			Policy{SourceURI: bcrSource, BuilderID: bcrBuilder}, ErrUntrustedBuilder, "expected a signature by"},
		{"wrong source", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", generic,
			Policy{SourceURI: "github.com/laurentsimon/slsa-verifier-test-gen", BuilderID: genericBuilder},
			ErrMismatchSource, `expected "github.com/laurentsimon/slsa-verifier-test-gen", got "github.com/slsa-framework/example-package"`},
		{"source prefix", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource + "A", BuilderID: genericBuilder}, ErrMismatchSource, ""},
		{"wrong branch", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceBranch: "master"}, ErrMismatchBranch, `expected "master"`},
		{"tag on a branch build", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceTag: "v13.0.30"}, ErrInvalidRef, `got "refs/heads/main"`},
		{"wrong tag", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceTag: "v13.0"}, ErrMismatchTag, `expected "v13.0", got "v13.0.30"`},
		{"wrong versioned tag", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "v13.0.29"}, ErrMismatchVersionedTag, ""},
		{"wrong artifact", "binary-linux-amd64-push-v13.0.30.intoto.jsonl", other,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder}, ErrMismatchArtifact, "expected a subject with digest sha256:abab"},
		{"wrong artifact (attestation)", "MODULE.bazel.intoto.jsonl", generic,
			Policy{SourceURI: bcrSource, BuilderID: bcrBuilder}, ErrMismatchArtifact, ""},
		{"input mismatch", "binary-linux-amd64-workflow_dispatch.intoto.jsonl", generic,
			Policy{SourceURI: exampleSource, BuilderID: genericBuilder, WorkflowInputs: map[string]string{"release": "yes"}}, ErrMismatchInputs, `input "release"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.policy.Validate(); err != nil {
				t.Fatal(err)
			}
			rep, err := o.Verify(readTestdata(t, tt.file), tt.artifact, tt.policy)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if rep.Path != "offline" || rep.LogIndex <= 0 || rep.SignedAt.IsZero() || rep.Claims.Signer == "" {
					t.Errorf("report incomplete: %+v", rep)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("Verify error = %v, want it to say %q", err, tt.wantText)
			}
		})
	}
}

// TestOfflineTamperedBundle changes one byte of the signed statement and
// of the signature: neither verifies.
func TestOfflineTamperedBundle(t *testing.T) {
	o := newOffline(t)
	b := readTestdata(t, "MODULE.bazel.intoto.jsonl")
	p := Policy{SourceURI: bcrSource, BuilderID: bcrBuilder}
	if _, err := o.Verify(b, moduleDigest(t), p); err != nil {
		t.Fatalf("the untampered bundle must verify: %v", err)
	}
	for _, field := range []string{`"payload":"`, `"sig":"`} {
		i := strings.Index(string(b), field)
		if i < 0 {
			t.Fatalf("no %s in the bundle", field)
		}
		// Flip a character well inside the base64 text, keeping it base64.
		at := i + len(field) + 40
		tampered := []byte(string(b))
		if tampered[at] == 'A' {
			tampered[at] = 'B'
		} else {
			tampered[at] = 'A'
		}
		_, err := o.Verify(tampered, moduleDigest(t), p)
		if !errors.Is(err, ErrSignature) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrMismatchArtifact) {
			t.Errorf("tampered %s: error = %v, want a signature failure", field, err)
		}
		if err == nil {
			t.Errorf("tampered %s verified", field)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		p     Policy
		field string
	}{
		{Policy{BuilderID: genericBuilder}, FieldSourceURI},
		{Policy{SourceURI: exampleSource}, FieldBuilderID},
		{Policy{SourceURI: exampleSource, BuilderID: "generator_generic_slsa3.yml"}, FieldBuilderID},
		{Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceTag: "v1", SourceVersionedTag: "v1"}, FieldSourceVersionedTag},
		{Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceVersionedTag: "1.2"}, FieldSourceVersionedTag},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("Validate(%+v) = %v, want an error on %s", tt.p, err, tt.field)
		}
	}
}

// failingTransport fails the test on any HTTP request.
type failingTransport struct{ t *testing.T }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("the offline path made a network call: %s %s", r.Method, r.URL)
	return nil, errors.New("no network in this test")
}

// TestOfflineMakesNoNetworkCall runs the offline path with every HTTP
// request through the default transport failing the test, and without
// the environment's proxy or DNS mattering: it must verify all the same.
func TestOfflineMakesNoNetworkCall(t *testing.T) {
	saved := http.DefaultTransport
	http.DefaultTransport = failingTransport{t}
	t.Cleanup(func() { http.DefaultTransport = saved })
	o := newOffline(t)
	if _, err := o.Verify(readTestdata(t, "binary-linux-amd64-push-v13.0.30.intoto.jsonl"), mustDigest(t, genericArtifact),
		Policy{SourceURI: exampleSource, BuilderID: genericBuilder, SourceTag: "v13.0.30"}); err != nil {
		t.Fatal(err)
	}
}

// TestOfflineEditedStatement re-encodes the signed statement with one
// claim changed (another ref), keeping the signature: it does not verify.
func TestOfflineEditedStatement(t *testing.T) {
	o := newOffline(t)
	var b map[string]any
	if err := json.Unmarshal(readTestdata(t, "MODULE.bazel.intoto.jsonl"), &b); err != nil {
		t.Fatal(err)
	}
	env := b["dsseEnvelope"].(map[string]any)
	payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.ReplaceAll(string(payload), "refs/heads/publish-to-bcr", "refs/heads/main")
	if edited == string(payload) {
		t.Fatal("the statement names no refs/heads/publish-to-bcr")
	}
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(edited))
	tampered, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Verify(tampered, moduleDigest(t), Policy{SourceURI: bcrSource, BuilderID: bcrBuilder, SourceBranch: "main"})
	if !errors.Is(err, ErrSignature) {
		t.Fatalf("Verify = %v, want ErrSignature", err)
	}
}
