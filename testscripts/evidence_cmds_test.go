package testscripts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/actions/dr-drill/drill"
	"github.com/hubgates/hub/actions/evidence/evidencegate"
	"github.com/hubgates/hub/actions/verify-provenance/provenance/provenancetest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// The evidence, promote and dr-drill scripts' commands, registered in
// TestScripts:
//
//	evidence-record [-sha SHA] [-age DURATION] [-read DIGEST] DIR GATE VERDICT
//	    write an evidence record of GATE with VERDICT into DIR, as the
//	    runtime writes one, for this run's repository and commit (or SHA),
//	    finished DURATION ago (default 1m), having read DIGEST
//	evidence-verify (-key PUBFILE | -root ROOTFILE -identity REGEXP) BUNDLE DIGEST OUT
//	    verify the evidence bundle BUNDLE for the subject DIGEST
//	    (sha256:<hex>) as promote does, check the statement against the
//	    predicate's JSON Schema, and write the statement, indented, to OUT

func cmdEvidenceRecord(ts *testscript.TestScript, neg bool, args []string) {
	sha, age, read := ts.Getenv("GITHUB_SHA"), time.Minute, ""
	for len(args) > 2 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-sha":
			sha = args[1]
		case "-age":
			d, err := time.ParseDuration(args[1])
			ts.Check(err)
			age = d
		case "-read":
			read = args[1]
		default:
			ts.Fatalf("evidence-record: unknown flag %s", args[0])
		}
		args = args[2:]
	}
	if neg || len(args) != 3 {
		ts.Fatalf("usage: evidence-record [-sha SHA] [-age DURATION] [-read DIGEST] DIR GATE VERDICT")
	}
	finished := time.Now().Add(-age)
	code := map[string]int{"passed": 0, "denied": 1, "bad-input": 2, "undecided": 3}[args[2]]
	rec := evidence.Record{SchemaVersion: evidence.SchemaVersion, Gate: args[1], Version: "dev", Mode: "enforce",
		Verdict: args[2], ExitCode: code, Inputs: map[string]string{"mode": "enforce"},
		Repository: ts.Getenv("GITHUB_REPOSITORY"), SHA: sha, Ref: ts.Getenv("GITHUB_REF"), RunID: ts.Getenv("GITHUB_RUN_ID"),
		Started: finished.Add(-time.Second), Finished: finished}
	if read != "" {
		rec.Read = []evidence.Artifact{{Path: "subject", Digest: read}}
	}
	b, err := evidence.Marshal(rec)
	ts.Check(err)
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	ts.Check(os.WriteFile(filepath.Join(dir, args[1]+"-forged.json"), b, 0o644))
}

func cmdEvidenceVerify(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: evidence-verify (-key PUBFILE | -root ROOTFILE -identity REGEXP) BUNDLE DIGEST OUT"
	var v *sigstore.Verifier
	var id *sigstore.Identity
	switch {
	case len(args) == 5 && args[0] == "-key":
		b, err := os.ReadFile(ts.MkAbs(args[1]))
		ts.Check(err)
		pub, err := sigstore.LoadPublicKey(b)
		ts.Check(err)
		v, err = sigstore.NewKeyVerifier(pub)
		ts.Check(err)
		args = args[2:]
	case len(args) == 7 && args[0] == "-root" && args[2] == "-identity":
		tr, err := sigstore.LoadTrustedRoot(ts.MkAbs(args[1]))
		ts.Check(err)
		v, err = sigstore.NewKeylessVerifier(tr)
		ts.Check(err)
		id = &sigstore.Identity{SubjectRegexp: args[3], Issuer: sigstoretest.ActionsIssuer}
		args = args[4:]
	default:
		ts.Fatalf("%s", usage)
	}
	bundle, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	alg, hx, _ := strings.Cut(args[1], ":")
	raw, err := hex.DecodeString(hx)
	ts.Check(err)
	got, err := evidencegate.VerifyBundle(v, bundle, sigstore.Digest{Algorithm: alg, Value: raw}, id)
	if neg {
		if err == nil {
			ts.Fatalf("evidence-verify: the bundle verified")
		}
		ts.Logf("refused as expected: %v", err)
		return
	}
	ts.Check(err)
	compact, err := evidencegate.Marshal(got.Statement)
	ts.Check(err)
	ts.Check(evidencegate.ValidateStatement(compact))
	var out bytes.Buffer
	ts.Check(json.Indent(&out, compact, "", "  "))
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), append(out.Bytes(), '\n'), 0o644))
}

// The promote and dr-drill scripts' commands:
//
//	promote-attest IMAGE WORKFLOW
//	    sign SLSA provenance of IMAGE for the run of WORKFLOW
//	    ("owner/repo/.github/workflows/f.yml@ref") with the private
//	    Sigstore sentinel-sigstore started, and attach it as a referrer
//	drill-forge [-age DURATION] [-failed] SUBJECT WORKFLOW
//	    sign a drill record created DURATION ago (default 1m), passed
//	    unless -failed, for the run of WORKFLOW with that Sigstore, and
//	    attach it to the image SUBJECT
//	oci-drop-referrer IMAGE PREDICATE_TYPE
//	    delete from the registry the referrers of IMAGE whose
//	    predicate-type annotation is PREDICATE_TYPE
//	oci-registry-lossy
//	    start a second registry, $LOSSY_REGISTRY, that answers every
//	    manifest with a subject as stored but keeps none: a target that
//	    loses referrers

func scriptSigstore(ts *testscript.TestScript) *sigstoretest.Sigstore {
	s, ok := sentinelSigstores.Load(ts.Getenv("WORK"))
	if !ok {
		ts.Fatalf("run sentinel-sigstore first")
	}
	return s.(*sigstoretest.Sigstore)
}

func cmdPromoteAttest(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: promote-attest IMAGE WORKFLOW")
	}
	workflow, ref, _ := strings.Cut(args[1], "@")
	repo, _, _ := strings.Cut(workflow, "/.github/workflows/")
	ctx := context.Background()
	img, err := ociref.Resolve(ctx, args[0])
	ts.Check(err)
	s := &provenancetest.Sigstore{Sigstore: scriptSigstore(ts)}
	builder := "https://github.com/" + args[1]
	a, err := s.Attest(provenancetest.Run{Workflow: builder, Repository: repo, Ref: ref},
		provenancetest.GitHubAttestationStatement(provenancetest.Build{BuilderID: builder, Repository: repo, Ref: ref,
			Subjects: []provenancetest.Subject{{Name: img.Ref.Context().Name(), SHA256: img.Digest.Hex}}}))
	ts.Check(err)
	_, err = provenancetest.AttachReferrer(ctx, img.Ref, a)
	ts.Check(err)
}

func cmdDrillForge(ts *testscript.TestScript, neg bool, args []string) {
	age, passed := time.Minute, true
	for len(args) > 2 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-age":
			d, err := time.ParseDuration(args[1])
			ts.Check(err)
			age, args = d, args[2:]
		case "-failed":
			passed, args = false, args[1:]
		default:
			ts.Fatalf("drill-forge: unknown flag %s", args[0])
		}
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: drill-forge [-age DURATION] [-failed] SUBJECT WORKFLOW")
	}
	ctx := context.Background()
	img, err := ociref.Resolve(ctx, args[0])
	ts.Check(err)
	st := drill.Statement{Type: "https://in-toto.io/Statement/v1", PredicateType: drill.PredicateType,
		Subject: []drill.Subject{{Name: img.Ref.Context().Name(), Digest: map[string]string{"sha256": img.Digest.Hex}}},
		Predicate: drill.Predicate{Operation: "recall", Created: time.Now().Add(-age).UTC(), Passed: passed,
			Run:      drill.Run{Repository: "acme/app", Workflow: args[1], RunID: "1", URL: "https://github.com/acme/app/actions/runs/1"},
			Releases: []drill.Release{{Image: "forged", Digest: img.Digest.String(), Recovered: passed, Checks: []drill.Check{{Name: "digest", Passed: passed}}}}}}
	payload, err := drill.Marshal(st)
	ts.Check(err)
	ts.Check(drill.ValidateStatement(payload))
	s := scriptSigstore(ts)
	d, err := s.SignDSSE(sigstoretest.Run{Workflow: "https://github.com/" + args[1], Repository: "acme/app", Ref: "refs/heads/main"}, sigstore.InTotoPayloadType, payload)
	ts.Check(err)
	_, err = ociref.AttachAnnotated(ctx, img, d.Bundle, map[string]string{"dev.sigstore.bundle.predicateType": drill.PredicateType})
	ts.Check(err)
}

func cmdOCIDropReferrer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: oci-drop-referrer IMAGE PREDICATE_TYPE")
	}
	img, err := ociref.Resolve(context.Background(), args[0])
	ts.Check(err)
	idx, err := remote.Referrers(img.Ref)
	ts.Check(err)
	im, err := idx.IndexManifest()
	ts.Check(err)
	n := 0
	for _, d := range im.Manifests {
		if d.Annotations["dev.sigstore.bundle.predicateType"] == args[1] {
			ts.Check(remote.Delete(img.Ref.Context().Digest(d.Digest.String())))
			n++
		}
	}
	if n == 0 {
		ts.Fatalf("oci-drop-referrer: no referrer of %s has predicate type %s", args[0], args[1])
	}
}

func cmdOCIRegistryLossy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: oci-registry-lossy")
	}
	reg := registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if bytes.Contains(body, []byte(`"subject"`)) {
				sum := sha256.Sum256(body)
				w.Header().Set("Docker-Content-Digest", "sha256:"+hex.EncodeToString(sum[:]))
				w.WriteHeader(http.StatusCreated)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		reg.ServeHTTP(w, r)
	}))
	ts.Defer(srv.Close)
	ts.Setenv("LOSSY_REGISTRY", strings.TrimPrefix(srv.URL, "http://"))
}
