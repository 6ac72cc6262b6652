package testscripts

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/actions/evidence/evidencegate"
	"github.com/hubgates/hub/shared/evidence"
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
