package testscripts

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/shared/image"
)

// The kyverno-proof scripts' commands, registered in TestScripts:
//
//	kyverno-engine
//	    build the gate's second binary (the nested module
//	    actions/kyverno-proof/engine) once per test run, as the image
//	    builder does, and set $KYVERNO_ENGINE to it
//	kyverno-example NAME... DIR
//	    copy the shipped example policies (actions/kyverno-proof/examples/
//	    NAME.yaml) into DIR of the work directory
const kyvernoDir = "../actions/kyverno-proof"

var kyvernoEngine struct {
	once sync.Once
	path string
	err  error
	dir  string
}

func cmdKyvernoEngine(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: kyverno-engine")
	}
	kyvernoEngine.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		kyvernoEngine.dir, kyvernoEngine.err = os.MkdirTemp("", "hub-kyverno-engine-")
		if kyvernoEngine.err != nil {
			return
		}
		// Built as the image builds it (image.BuildGate's companion).
		kyvernoEngine.path, kyvernoEngine.err = image.BuildBinary(ctx, image.BinaryOptions{
			Gate: "kyverno-proof", Name: "kyverno-proof-engine", Package: ".", Dir: filepath.Join(kyvernoDir, "engine"),
			Version: "test", OutDir: kyvernoEngine.dir,
		})
	})
	ts.Check(kyvernoEngine.err)
	if kyvernoEngine.path == "" {
		ts.Fatalf("the kyverno-proof folder has no engine module")
	}
	ts.Setenv("KYVERNO_ENGINE", kyvernoEngine.path)
}

func cmdKyvernoExample(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: kyverno-example NAME... DIR")
	}
	dst := ts.MkAbs(args[len(args)-1])
	ts.Check(os.MkdirAll(dst, 0o755))
	for _, n := range args[:len(args)-1] {
		if strings.ContainsAny(n, `/\`) {
			ts.Fatalf("kyverno-example: %q is not an example name", n)
		}
		b, err := os.ReadFile(filepath.Join(kyvernoDir, "examples", n+".yaml"))
		ts.Check(err)
		ts.Check(os.WriteFile(filepath.Join(dst, n+".yaml"), b, 0o644))
	}
}

// removeKyvernoEngine deletes the engine built for the run.
func removeKyvernoEngine() {
	if kyvernoEngine.dir != "" {
		os.RemoveAll(kyvernoEngine.dir)
	}
}
