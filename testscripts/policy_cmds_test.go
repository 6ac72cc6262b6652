package testscripts

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// The policy scripts' command, registered in TestScripts:
//
//	policy-example NAME DIR
//	    copy the shipped example policy actions/policy/examples/NAME (its
//	    .rego files and their unit tests) into DIR of the work directory,
//	    so the scripts test the very files the repository ships
const policyExamples = "../actions/policy/examples"

func cmdPolicyExample(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: policy-example NAME DIR")
	}
	src := filepath.Join(policyExamples, filepath.Clean(args[0]))
	entries, err := os.ReadDir(src)
	ts.Check(err)
	dst := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(dst, 0o755))
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".rego") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		ts.Check(err)
		ts.Check(os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644))
		n++
	}
	if n == 0 {
		ts.Fatalf("example %s has no .rego file", args[0])
	}
}
