package testscripts

import (
	"os"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/actions/rekor-monitor/monitor/rekortest"
)

// The rekor-monitor scripts' commands, registered in TestScripts:
//
//	rekor-log KEYFILE
//	    start a fake Rekor (package rekortest) for this script, set
//	    $REKOR_URL to it and write its checkpoint key to KEYFILE
//	rekor-add IDENTITY [REF]
//	    append an entry signed by a certificate for IDENTITY (issuer
//	    GitHub Actions), integrated now
//	rekor-fork
//	    rewrite the log's history: later tree heads are inconsistent
//	rekor-fail healthy|unavailable|malformed|hang
//	    make every later call answer so
var rekorLogs sync.Map // *testscript.TestScript -> *rekortest.Log

func rekorLog(ts *testscript.TestScript) *rekortest.Log {
	l, ok := rekorLogs.Load(ts)
	if !ok {
		ts.Fatalf("no fake Rekor: run rekor-log first")
	}
	return l.(*rekortest.Log)
}

func cmdRekorLog(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: rekor-log KEYFILE")
	}
	l, err := rekortest.New()
	ts.Check(err)
	rekorLogs.Store(ts, l)
	ts.Defer(func() {
		l.Close()
		rekorLogs.Delete(ts)
	})
	key, err := l.PublicKeyPEM()
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), key, 0o644))
	ts.Setenv("REKOR_URL", l.URL())
}

func cmdRekorAdd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: rekor-add IDENTITY [REF]")
	}
	ref := "refs/heads/main"
	if len(args) == 2 {
		ref = args[1]
	}
	ts.Check(rekorLog(ts).Add(args[0], "https://token.actions.githubusercontent.com", ref, time.Now()))
}

func cmdRekorFork(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: rekor-fork")
	}
	ts.Check(rekorLog(ts).Fork())
}

func cmdRekorFail(ts *testscript.TestScript, neg bool, args []string) {
	modes := map[string]rekortest.Failure{"healthy": rekortest.Healthy, "unavailable": rekortest.Unavailable,
		"malformed": rekortest.Malformed, "hang": rekortest.Hang, "hostile": rekortest.Hostile}
	const usage = "usage: rekor-fail healthy|unavailable|malformed|hang|hostile"
	if neg || len(args) != 1 {
		ts.Fatalf(usage)
	}
	f, ok := modes[args[0]]
	if !ok {
		ts.Fatalf(usage)
	}
	rekorLog(ts).SetFailure(f)
}
