package testscripts

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// The secret-sweep scripts' commands, registered in TestScripts:
//
//	sweep-mint VAR PREFIX [tamper]
//	    set VAR to a GitHub or npm token of the format PREFIX (ghp_, ghs_,
//	    npm_ ...) minted from fresh random entropy with a checksum that
//	    holds, or with tamper one whose checksum fails; no token that
//	    passes a checksum is ever committed to the repository
//	sweep-write FILE TEXT...
//	    write the words of TEXT, joined by spaces, to FILE (after the
//	    script's $VAR expansion), each \n a line break
//	sweep-basic VAR USER SECRET
//	    set VAR to base64("USER:SECRET"), a basic credential
//	sweep-proc DIR PID NAME [ARG...] -- [VAR=VALUE...]
//	    write a process into the proc-like folder DIR: DIR/PID/comm,
//	    cmdline and environ, NUL-separated as Linux writes them
//	sweep-absent VALUE
//	    fail if VALUE appears in the gate's standard output or error, or in
//	    any file of the work directory (but the gate's ::add-mask:: line) but the ones the script wrote it
//	    into (sweep-write, sweep-proc): outputs, summary, SARIF, evidence,
//	    telemetry
func cmdSweepMint(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 || len(args) == 3 && args[2] != "tamper" {
		ts.Fatalf("usage: sweep-mint VAR PREFIX [tamper]")
	}
	const b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var e [30]byte
	_, err := rand.Read(e[:])
	ts.Check(err)
	for i := range e {
		e[i] = b62[int(e[i])%62]
	}
	n := crc32.ChecksumIEEE(e[:])
	var sum [6]byte
	for i := 5; i >= 0; i-- {
		sum[i] = b62[n%62]
		n /= 62
	}
	if len(args) == 3 {
		e[3] = b62[(strings.IndexByte(b62, e[3])+1)%62]
	}
	ts.Setenv(args[0], args[1]+string(e[:])+string(sum[:]))
}

// sweepPlanted are the files a script planted values in, so sweep-absent
// does not count them as leaks.
var sweepPlanted sync.Map

func cmdSweepWrite(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: sweep-write FILE TEXT...")
	}
	p := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(os.WriteFile(p, []byte(strings.ReplaceAll(strings.Join(args[1:], " "), `\n`, "\n")+"\n"), 0o644))
	sweepPlanted.Store(p, true)
}

func cmdSweepBasic(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: sweep-basic VAR USER SECRET")
	}
	ts.Setenv(args[0], base64.StdEncoding.EncodeToString([]byte(args[1]+":"+args[2])))
}

func cmdSweepProc(ts *testscript.TestScript, neg bool, args []string) {
	sep := -1
	for i, a := range args {
		if a == "--" {
			sep = i
		}
	}
	if neg || len(args) < 4 || sep < 3 {
		ts.Fatalf("usage: sweep-proc DIR PID NAME [ARG...] -- [VAR=VALUE...]")
	}
	dir := ts.MkAbs(filepath.Join(args[0], args[1]))
	ts.Check(os.MkdirAll(dir, 0o755))
	nul := func(parts []string) []byte {
		var b bytes.Buffer
		for _, p := range parts {
			b.WriteString(p)
			b.WriteByte(0)
		}
		return b.Bytes()
	}
	files := map[string][]byte{
		"comm":    []byte(args[2] + "\n"),
		"cmdline": nul(args[2:sep]),
		"environ": nul(args[sep+1:]),
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		ts.Check(os.WriteFile(p, b, 0o644))
		sweepPlanted.Store(p, true)
	}
}

func cmdSweepAbsent(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 || len(args[0]) < 8 {
		ts.Fatalf("usage: sweep-absent VALUE (8 characters or more)")
	}
	v := args[0]
	for _, stream := range []string{"stdout", "stderr"} {
		for _, line := range strings.Split(ts.ReadFile(stream), "\n") {
			// The runner consumes the gate's own mask command: it is the
			// one line that may hold the value.
			if line != "::add-mask::"+v && strings.Contains(line, v) {
				ts.Fatalf("the value is in the gate's %s", stream)
			}
		}
	}
	// Encoded forms a careless printer could emit.
	forms := []string{v, base64.StdEncoding.EncodeToString([]byte(v))}
	root := ts.Getenv("WORK")
	checked := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if _, planted := sweepPlanted.Load(p); err != nil || d.IsDir() || planted {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		checked++
		for _, f := range forms {
			if bytes.Contains(b, []byte(f)) {
				rel, _ := filepath.Rel(root, p)
				ts.Fatalf("the value is in %s", rel)
			}
		}
		return nil
	})
	ts.Check(err)
	if checked == 0 {
		ts.Fatalf("no file checked")
	}
}
