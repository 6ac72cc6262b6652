package actions

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/actions/verify-provenance/provenance"
	"github.com/hubgates/hub/actions/verify-provenance/provenance/provenancetest"
	"github.com/hubgates/hub/actions/verify-signature/sigverify"
	"github.com/hubgates/hub/shared/gate"
	"github.com/hubgates/hub/shared/image"
	"github.com/hubgates/hub/shared/release"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// The release the offline test makes, as hub's release workflow would at
// tag v1.2.3.
const (
	e2eVersion  = "v1.2.3"
	e2eRepo     = "hubgates/hub"
	e2eWorkflow = "https://github.com/hubgates/hub/.github/workflows/release.yml"
)

// miniHub writes a module named like hub with one gate, tinygate, whose
// action.yml, a root composite action and a workflow pin an image that
// was never built.
func miniHub(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	zero := "docker://ghcr.io/hubgates/hub/tinygate@sha256:" + strings.Repeat("0", 64)
	for name, content := range map[string]string{
		"go.mod":                      "module github.com/hubgates/hub\n\ngo 1.26.8\n",
		"shared/version/version.go":   "package version\n\n// Version is stamped by the release build.\nvar Version = \"dev\"\n",
		"actions/tinygate/main.go":    "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/hubgates/hub/shared/version\"\n)\n\nfunc main() { fmt.Println(version.Version) }\n",
		"actions/tinygate/action.yml": "name: tinygate\ndescription: test\nruns:\n  using: docker\n  image: " + zero + "\n",
		"action.yml":                  "name: hub\nruns:\n  using: composite\n  steps:\n    - uses: " + zero + "\n",
		".github/workflows/hub.yml":   "on: workflow_call\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: " + zero + "\n",
	} {
		writeTestFile(t, filepath.Join(root, filepath.FromSlash(name)), []byte(content))
	}
	return root
}

// runGate runs a gate in-process in workspace ws, as its container would.
func runGate(t *testing.T, g *gate.Gate, ws string, env map[string]string, args ...string) (gate.ExitCode, string) {
	t.Helper()
	sum := filepath.Join(t.TempDir(), "summary.md")
	all := map[string]string{"GITHUB_STEP_SUMMARY": sum}
	for k, v := range env {
		all[k] = v
	}
	var stdout, stderr bytes.Buffer
	code := gate.Execute(context.Background(), g, gate.Process{
		Args: args, Getenv: func(k string) string { return all[k] },
		Stdout: &stdout, Stderr: &stderr, Cwd: ws, Now: time.Now,
	})
	b, _ := os.ReadFile(sum)
	return code, stdout.String() + stderr.String() + string(b)
}

// TestReleasePathOffline runs the steps of .github/workflows/release.yml
// against an in-process registry and a private Sigstore: build and pin
// (hub-release prepare), rebuild and check the pins, push, sign with the
// sign gate, attest build provenance as attest-build-provenance does,
// verify with verify-signature and verify-provenance. Then the tampered
// twins: another image pushed over the release tag fails both
// verifications, and the pins of a changed source are stale.
func TestReleasePathOffline(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	root := miniHub(t)

	// prepare: release.json, build, pin.
	info := release.Info{Version: e2eVersion, Created: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	if err := release.Write(root, info); err != nil {
		t.Fatal(err)
	}
	opts := release.BuildOptions{Root: root, Registry: host, Platforms: []string{image.HostPlatform()}, Info: info}
	built, err := release.Build(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	files, err := release.PinFiles(root, "actions")
	if err != nil {
		t.Fatal(err)
	}
	if changed, err := release.Rewrite(root, "actions", files, release.Refs(built)); err != nil || len(changed) != 3 {
		t.Fatalf("rewrote %v, %v; want the 3 pinned files", changed, err)
	}

	// The workflow's publish job: rebuild the pinned tree and check.
	rebuilt, err := release.Build(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	pins, err := release.FindPins(root, files)
	if err != nil {
		t.Fatal(err)
	}
	if probs := release.Check("actions", pins, release.Refs(rebuilt)); len(probs) != 0 || len(pins) != 3 {
		t.Fatalf("the pinned tree does not rebuild to its %d pins: %v", len(pins), probs)
	}
	img := rebuilt[0]
	repo := image.Repository(host, image.DefaultOwner, img.Gate)
	tag := repo + ":" + e2eVersion
	pushed, err := image.Push(ctx, tag, img.Index)
	if err != nil {
		t.Fatal(err)
	}
	if repo+"@"+pushed.String() != img.Ref {
		t.Fatalf("pushed %s, pinned %s", pushed, img.Ref)
	}

	// sign: the sign gate, keyless, as the tagged release workflow.
	s, err := sigstoretest.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetWorkflow(strings.TrimPrefix(e2eWorkflow, "https://github.com/") + "@refs/tags/" + e2eVersion)
	ws := t.TempDir()
	oidc := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": s.TokenURL(), "ACTIONS_ID_TOKEN_REQUEST_TOKEN": sigstoretest.RequestToken}
	if code, out := runGate(t, signer.Gate, ws, oidc, "--images="+img.Ref, "--fulcio-url="+s.Fulcio.URL, "--rekor-url="+s.Rekor.URL); code != gate.Passed {
		t.Fatalf("sign: exit %d\n%s", code, out)
	}

	// attest: SLSA v1 provenance of the run, pushed beside the image.
	ps := &provenancetest.Sigstore{Sigstore: s}
	attest := func(subject, target name.Digest) {
		t.Helper()
		ref := "refs/tags/" + e2eVersion
		a, err := ps.Attest(provenancetest.Run{Workflow: e2eWorkflow + "@" + ref, Repository: e2eRepo, Ref: ref},
			provenancetest.GitHubAttestationStatement(provenancetest.Build{BuilderID: e2eWorkflow + "@" + ref, Repository: e2eRepo, Ref: ref,
				Subjects: []provenancetest.Subject{{Name: subject.Context().Name(), SHA256: strings.TrimPrefix(subject.DigestStr(), "sha256:")}}}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := provenancetest.AttachReferrer(ctx, target, a); err != nil {
			t.Fatal(err)
		}
	}
	digestRef, err := name.NewDigest(img.Ref)
	if err != nil {
		t.Fatal(err)
	}
	attest(digestRef, digestRef)

	// verify: by tag, as a user adopting the release would.
	js, err := s.TrustedRootJSON()
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(ws, "trusted_root.json"), js)
	verifySig := func() (gate.ExitCode, string) {
		return runGate(t, sigverify.Gate, ws, nil, "--images="+tag,
			"--certificate-identity="+e2eWorkflow+"@refs/tags/"+e2eVersion,
			"--certificate-oidc-issuer="+sigstoretest.ActionsIssuer, "--trusted-root=trusted_root.json")
	}
	verifyProv := func() (gate.ExitCode, string) {
		return runGate(t, provenance.Gate, ws, nil, "--images="+tag, "--source-uri=github.com/"+e2eRepo,
			"--source-tag="+e2eVersion, "--builder-id="+e2eWorkflow, "--trusted-root=trusted_root.json")
	}
	if code, out := verifySig(); code != gate.Passed {
		t.Fatalf("verify-signature of the release: exit %d\n%s", code, out)
	}
	if code, out := verifyProv(); code != gate.Passed {
		t.Fatalf("verify-provenance of the release: exit %d\n%s", code, out)
	}

	// Tampered: the source changes and the new image is pushed over the
	// release tag. Its pins no longer hold, and neither verification
	// accepts it: the signature and the provenance name the pinned digest.
	mainGo := filepath.Join(root, "actions", "tinygate", "main.go")
	src, err := os.ReadFile(mainGo)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, mainGo, bytes.Replace(src, []byte("fmt.Println(version.Version)"), []byte("fmt.Println(\"backdoor\", version.Version)"), 1))
	evil, err := release.Build(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if probs := release.Check("actions", pins, release.Refs(evil)); len(probs) != 3 {
		t.Errorf("stale pins after a source change: %v, want 3 problems", probs)
	}
	if _, err := image.Push(ctx, tag, evil[0].Index); err != nil {
		t.Fatal(err)
	}
	if d, err := remote.Head(mustTag(t, tag)); err != nil || repo+"@"+d.Digest.String() != evil[0].Ref {
		t.Fatalf("the tag was not moved: %v %v", d, err)
	}
	// The release's provenance copied onto the tampered image: found, and
	// refused, for its subject is the pinned digest.
	evilRef, err := name.NewDigest(evil[0].Ref)
	if err != nil {
		t.Fatal(err)
	}
	attest(digestRef, evilRef)
	if code, out := verifySig(); code != gate.Denied {
		t.Errorf("verify-signature of a tampered image: exit %d, want 1\n%s", code, out)
	}
	if code, out := verifyProv(); code != gate.Denied || !strings.Contains(out, "artifact-not-attested") {
		t.Errorf("verify-provenance of a tampered image with the release's provenance: exit %d, want 1 and artifact-not-attested\n%s", code, out)
	}
}

func mustTag(t *testing.T, s string) name.Tag {
	t.Helper()
	tag, err := name.NewTag(s)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

// TestReleaseWorkflowOrder: hub's release workflow proves the pins before
// anything is pushed, signs and attests only what it pushed, verifies
// both before the GitHub release exists, and signs and verifies with the
// tagged commit's own gates.
func TestReleaseWorkflowOrder(t *testing.T) {
	data, err := os.ReadFile("../.github/workflows/release.yml")
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On   map[string]map[string][]string `yaml:"on"`
		Jobs map[string]struct {
			Needs yaml.Node `yaml:"needs"`
			Steps []struct {
				Uses string `yaml:"uses"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	if tags := wf.On["push"]["tags"]; len(tags) != 1 || tags[0] != "v*" {
		t.Errorf("on.push.tags = %v, want [v*]", tags)
	}
	needs := func(job string) []string {
		var out []string
		n := wf.Jobs[job].Needs
		if n.Kind == yaml.ScalarNode {
			return []string{n.Value}
		}
		for _, c := range n.Content {
			out = append(out, c.Value)
		}
		return out
	}
	steps := func(job string) string {
		var b strings.Builder
		for _, s := range wf.Jobs[job].Steps {
			b.WriteString(s.Uses + "\n" + s.Run + "\n")
		}
		return b.String()
	}
	for job, want := range map[string][]string{
		"publish":        {"hub-release check --push"},
		"sign":           {"uses: ./actions/sign"},
		"attest":         {"actions/attest-build-provenance@"},
		"verify":         {"./actions/verify-signature", "./actions/verify-provenance", "hub-release trusted-root"},
		"github-release": {"gh release create"},
	} {
		got := steps(job)
		for _, w := range want {
			if !strings.Contains(got, strings.TrimPrefix(w, "uses: ")) {
				t.Errorf("job %s does not run %q", job, w)
			}
		}
	}
	for job, want := range map[string]string{"sign": "publish", "attest": "publish", "verify": "publish sign attest", "github-release": "publish verify"} {
		if got := strings.Join(needs(job), " "); got != want {
			t.Errorf("job %s needs %q, want %q", job, got, want)
		}
	}
}
