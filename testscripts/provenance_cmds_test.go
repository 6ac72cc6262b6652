package testscripts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/actions/verify-provenance/provenance/provenancetest"
	"github.com/hubgates/hub/shared/ociref"
)

// The verify-provenance scripts' commands, registered in TestScripts:
//
//	provenance-testdata FILE...
//	    copy FILE from the gate's real test material (slsa-verifier's test
//	    provenance and the public-good trusted root, see
//	    actions/verify-provenance/provenance/testdata/NOTICE) into the
//	    work directory, so the scripts share one copy of it
//	provenance-testdata -push LAYOUT REF
//	    push the image recorded in the test material's OCI layout LAYOUT
//	    ("cosign save" of an image and its attestations) to REF byte for
//	    byte, its attestations to cosign's sha256-<hex>.att tag, and set
//	    $PUSHED_DIGEST to the image's digest
//	provenance-testdata -push-att LAYOUT REF
//	    push only LAYOUT's attestations, to the sha256-<hex>.att tag of the
//	    image REF names: another image's provenance copied onto this one
//	provenance-testdata -attest ROOTFILE IMAGE WORKFLOW [SUBJECT]
//	    sign SLSA provenance as actions/attest-build-provenance does for
//	    the run of WORKFLOW ("owner/repo/.github/workflows/f.yml@ref",
//	    which is the builder and names the source repository and ref),
//	    about the digest SUBJECT names (IMAGE's by default), with this
//	    script's private Sigstore, whose trusted_root.json is written to
//	    ROOTFILE; and attach it to IMAGE as an OCI referrer, as
//	    push-to-registry does
//	provenance-tamper FILE OLD NEW
//	    replace OLD with NEW in the in-toto statement signed in the Sigstore
//	    bundle FILE (its base64 DSSE payload), leaving the signature as it
//	    was: what an attacker who edits a provenance produces
//
// The registry commands take a registry started by oci-registry.
const provenanceTestdata = "../actions/verify-provenance/provenance/testdata"

// provenanceSigstores holds each running script's private Sigstore, by
// its work directory.
var provenanceSigstores sync.Map

func cmdProvenanceTestdata(ts *testscript.TestScript, neg bool, args []string) {
	if !neg && len(args) > 0 {
		switch args[0] {
		case "-push", "-push-att":
			provenancePush(ts, args[0] == "-push-att", args[1:])
			return
		case "-attest":
			provenanceAttest(ts, args[1:])
			return
		}
	}
	if neg || len(args) == 0 {
		ts.Fatalf("usage: provenance-testdata FILE... | -push LAYOUT REF | -push-att LAYOUT REF | -attest ROOTFILE IMAGE WORKFLOW [SUBJECT]")
	}
	for _, name := range args {
		if name != filepath.Base(name) {
			ts.Fatalf("provenance-testdata: %q is not a file name", name)
		}
		b, err := os.ReadFile(filepath.Join(provenanceTestdata, name))
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(name), b, 0o644))
	}
}

func provenancePush(ts *testscript.TestScript, attestationsOnly bool, args []string) {
	if len(args) != 2 || args[0] != filepath.Base(args[0]) {
		ts.Fatalf("usage: provenance-testdata -push|-push-att LAYOUT REF")
	}
	tag, err := name.NewTag(args[1], name.StrictValidation)
	ts.Check(err)
	d, err := provenancetest.PushLayout(context.Background(), filepath.Join(provenanceTestdata, args[0]), tag.Context(), tag.TagStr(), attestationsOnly)
	ts.Check(err)
	if !attestationsOnly {
		ts.Setenv("PUSHED_DIGEST", d.DigestStr())
	}
}

func provenanceAttest(ts *testscript.TestScript, args []string) {
	if len(args) != 3 && len(args) != 4 {
		ts.Fatalf("usage: provenance-testdata -attest ROOTFILE IMAGE WORKFLOW [SUBJECT]")
	}
	workflow, ref, ok := strings.Cut(args[2], "@")
	repo, _, isWorkflow := strings.Cut(workflow, "/.github/workflows/")
	if !ok || !isWorkflow {
		ts.Fatalf("provenance-testdata -attest: WORKFLOW %q is not owner/repo/.github/workflows/file.yml@ref", args[2])
	}
	s := provenanceSigstore(ts, args[0])
	ctx := context.Background()
	img, err := ociref.Resolve(ctx, args[1])
	ts.Check(err)
	subject := img
	if len(args) == 4 {
		subject, err = ociref.Resolve(ctx, args[3])
		ts.Check(err)
	}
	builder := "https://github.com/" + args[2]
	a, err := s.Attest(provenancetest.Run{Workflow: builder, Repository: repo, Ref: ref},
		provenancetest.GitHubAttestationStatement(provenancetest.Build{BuilderID: builder, Repository: repo, Ref: ref,
			Subjects: []provenancetest.Subject{{Name: subject.Ref.Context().Name(), SHA256: subject.Digest.Hex}}}))
	ts.Check(err)
	_, err = provenancetest.AttachReferrer(ctx, img.Ref, a)
	ts.Check(err)
}

// provenanceSigstore returns the script's private Sigstore, started on
// first use, and writes its trusted root to file.
func provenanceSigstore(ts *testscript.TestScript, file string) *provenancetest.Sigstore {
	work := ts.Getenv("WORK")
	v, ok := provenanceSigstores.Load(work)
	if !ok {
		s, err := provenancetest.New()
		ts.Check(err)
		v, _ = provenanceSigstores.LoadOrStore(work, s)
		ts.Defer(func() {
			provenanceSigstores.Delete(work)
			s.Close()
		})
	}
	s := v.(*provenancetest.Sigstore)
	js, err := s.TrustedRootJSON()
	ts.Check(err)
	path := ts.MkAbs(file)
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
	ts.Check(os.WriteFile(path, js, 0o644))
	return s
}

func cmdProvenanceTamper(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: provenance-tamper FILE OLD NEW")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	var bundle map[string]any
	ts.Check(json.Unmarshal(b, &bundle))
	env, ok := bundle["dsseEnvelope"].(map[string]any)
	if !ok {
		ts.Fatalf("provenance-tamper: %s has no DSSE envelope", args[0])
	}
	payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
	ts.Check(err)
	if !strings.Contains(string(payload), args[1]) {
		ts.Fatalf("provenance-tamper: the statement in %s does not contain %q", args[0], args[1])
	}
	env["payload"] = base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(string(payload), args[1], args[2])))
	out, err := json.Marshal(bundle)
	ts.Check(err)
	ts.Check(os.WriteFile(path, out, 0o644))
}
