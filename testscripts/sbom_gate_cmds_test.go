package testscripts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// The sbom-gate scripts' commands, registered in TestScripts: VEX signed
// at test time by a private Sigstore (keyless, and as in-toto
// attestations), and a feed server for KEV and EPSS.
//
//	sbom-sigstore ROOTFILE
//	    start a private Sigstore for this script and write its
//	    trusted_root.json to ROOTFILE
//	sbom-sign-keyless [-workflow JOB_WORKFLOW_REF] FILE
//	    sign FILE keyless into FILE.sigstore.json; the certificate names
//	    https://github.com/JOB_WORKFLOW_REF (default
//	    hubgates/fixture/.github/workflows/ci.yml@refs/heads/main)
//	sbom-attest [-workflow JOB_WORKFLOW_REF] VEXFILE SUBJECT BUNDLE
//	    attest the OpenVEX document VEXFILE about SUBJECT (by its sha256) as
//	    an in-toto statement in a DSSE envelope, keyless, into the Sigstore
//	    bundle BUNDLE
//	sbom-feed-server DIR
//	    serve the files of DIR over HTTP and set $FEED_URL to its root; a
//	    path under /hang/ never answers
//
// Keyed signatures use sentinel-keygen and sentinel-sign.

// sbomSigstores holds each script's private Sigstore, by work directory.
var sbomSigstores sync.Map

func sbomSigstore(ts *testscript.TestScript) *sigstoretest.Sigstore {
	s, ok := sbomSigstores.Load(ts.Getenv("WORK"))
	if !ok {
		ts.Fatalf("run sbom-sigstore first")
	}
	return s.(*sigstoretest.Sigstore)
}

// workflowFlag strips a leading "-workflow REF" from args.
func workflowFlag(args []string) (string, []string) {
	if len(args) >= 2 && args[0] == "-workflow" {
		return args[1], args[2:]
	}
	return "hubgates/fixture/.github/workflows/ci.yml@refs/heads/main", args
}

func cmdSBOMSigstore(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sbom-sigstore ROOTFILE")
	}
	s, err := sigstoretest.New()
	ts.Check(err)
	work := ts.Getenv("WORK")
	if _, dup := sbomSigstores.LoadOrStore(work, s); dup {
		s.Close()
		ts.Fatalf("sbom-sigstore: this script already started one")
	}
	ts.Defer(func() {
		sbomSigstores.Delete(work)
		s.Close()
	})
	writeRoot(ts, s, args[0])
}

func cmdSBOMSignKeyless(ts *testscript.TestScript, neg bool, args []string) {
	wf, args := workflowFlag(args)
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sbom-sign-keyless [-workflow JOB_WORKFLOW_REF] FILE")
	}
	s := sbomSigstore(ts)
	s.SetWorkflow(wf)
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	sig, err := s.Signer().Sign(context.Background(), data)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]+".sigstore.json"), sig.Bundle, 0o644))
}

func cmdSBOMAttest(ts *testscript.TestScript, neg bool, args []string) {
	wf, args := workflowFlag(args)
	if neg || len(args) != 3 {
		ts.Fatalf("usage: sbom-attest [-workflow JOB_WORKFLOW_REF] VEXFILE SUBJECT BUNDLE")
	}
	vex, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	subject, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	sum := sha256.Sum256(subject)
	stmt, err := json.Marshal(map[string]any{
		"_type":         "https://in-toto.io/Statement/v1",
		"subject":       []any{map[string]any{"name": filepath.Base(args[1]), "digest": map[string]string{"sha256": hex.EncodeToString(sum[:])}}},
		"predicateType": "https://openvex.dev/ns/v0.2.0",
		"predicate":     json.RawMessage(vex),
	})
	ts.Check(err)
	d, err := sbomSigstore(ts).SignDSSE(sigstoretest.Run{Workflow: "https://github.com/" + wf, Repository: strings.SplitN(wf, "/.github/", 2)[0], Ref: "refs/heads/main"},
		"application/vnd.in-toto+json", stmt)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), d.Bundle, 0o644))
}

func cmdSBOMFeedServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sbom-feed-server DIR")
	}
	dir := ts.MkAbs(args[0])
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/hang/") {
			<-r.Context().Done()
			return
		}
		files.ServeHTTP(w, r)
	}))
	ts.Defer(srv.Close)
	ts.Setenv("FEED_URL", srv.URL)
}
