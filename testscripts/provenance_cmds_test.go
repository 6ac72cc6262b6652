package testscripts

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// The verify-provenance scripts' commands, registered in TestScripts:
//
//	provenance-testdata FILE...
//	    copy FILE from the gate's real test material (slsa-verifier's test
//	    provenance and the public-good trusted root, see
//	    actions/verify-provenance/provenance/testdata/NOTICE) into the
//	    work directory, so the scripts share one copy of it
//	provenance-tamper FILE OLD NEW
//	    replace OLD with NEW in the in-toto statement signed in the Sigstore
//	    bundle FILE (its base64 DSSE payload), leaving the signature as it
//	    was: what an attacker who edits a provenance produces
const provenanceTestdata = "../actions/verify-provenance/provenance/testdata"

func cmdProvenanceTestdata(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: provenance-testdata FILE...")
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
