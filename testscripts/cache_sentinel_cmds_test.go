package testscripts

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/sigstore/cosign/v2/pkg/cosign"

	"github.com/hubgates/hub/shared/sigstore"
	"github.com/hubgates/hub/shared/sigstore/sigstoretest"
)

// The cache-sentinel scripts' commands, registered in TestScripts: signing
// material and a private Sigstore for the gate to use, and a tree listing to
// prove what a run left untouched.
//
//	sentinel-keygen [-password PW] NAME
//	    write an ECDSA P-256 key pair NAME.key and NAME.pub, and set $NAME_KEY
//	    and $NAME_PUB (NAME upper-cased) to their contents; with -password
//	    the private key is a cosign key file encrypted with PW (as "cosign
//	    generate-key-pair" writes it), otherwise plain PKCS #8 PEM, which
//	    loads without cosign's deliberately slow key derivation
//	sentinel-sign [-password PW] KEYFILE FILE BUNDLE
//	    sign FILE with the key KEYFILE into the Sigstore bundle BUNDLE,
//	    as seal would: for manifests crafted by hand
//	sentinel-sigstore [-unused] ROOTFILE
//	    start a private Sigstore (OIDC token endpoint, Fulcio, Rekor) for this
//	    script, write its trusted_root.json to ROOTFILE, and set $FULCIO_URL,
//	    $REKOR_URL, ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN for the gate;
//	    with -unused, only write the root of another instance, which has
//	    signed nothing
//	sentinel-workflow JOB_WORKFLOW_REF
//	    make the private Sigstore's next tokens, and so certificates, name
//	    another workflow ("owner/repo/.github/workflows/f.yml@ref")
//	sentinel-replace FILE OLD NEW
//	    replace every OLD in FILE with NEW; fails when OLD is absent
//	sentinel-tree DIR FILE
//	    write a listing of DIR (path, type, mode, size, sha256 or link target)
//	    to FILE, for cmp before and after a gate run

// sentinelSigstores holds each running script's private Sigstore, by its
// work directory.
var sentinelSigstores sync.Map

// passwordFlag strips a leading "-password PW" from args.
func passwordFlag(args []string) (string, []string) {
	if len(args) >= 2 && args[0] == "-password" {
		return args[1], args[2:]
	}
	return "", args
}

func cmdSentinelKeygen(ts *testscript.TestScript, neg bool, args []string) {
	pw, args := passwordFlag(args)
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sentinel-keygen [-password PW] NAME")
	}
	var priv, pub []byte
	if pw != "" {
		kb, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte(pw), nil })
		ts.Check(err)
		priv, pub = kb.PrivateBytes, kb.PublicBytes
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		ts.Check(err)
		der, err := x509.MarshalPKCS8PrivateKey(k)
		ts.Check(err)
		priv = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		pub, err = sigstore.MarshalPublicKey(k.Public())
		ts.Check(err)
	}
	name := args[0]
	ts.Check(os.WriteFile(ts.MkAbs(name+".key"), priv, 0o600))
	ts.Check(os.WriteFile(ts.MkAbs(name+".pub"), pub, 0o644))
	env := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	ts.Setenv(env+"_KEY", string(priv))
	ts.Setenv(env+"_PUB", string(pub))
}

func cmdSentinelSign(ts *testscript.TestScript, neg bool, args []string) {
	pw, args := passwordFlag(args)
	if neg || len(args) != 3 {
		ts.Fatalf("usage: sentinel-sign [-password PW] KEYFILE FILE BUNDLE")
	}
	pemKey, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	key, err := sigstore.LoadPrivateKey(pemKey, []byte(pw))
	ts.Check(err)
	s, err := sigstore.NewKeySigner(key)
	ts.Check(err)
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	sig, err := s.Sign(context.Background(), data)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), sig.Bundle, 0o644))
}

func cmdSentinelSigstore(ts *testscript.TestScript, neg bool, args []string) {
	unused := len(args) == 2 && args[0] == "-unused"
	if unused {
		args = args[1:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sentinel-sigstore [-unused] ROOTFILE")
	}
	s, err := sigstoretest.New()
	ts.Check(err)
	if unused {
		defer s.Close()
		writeRoot(ts, s, args[0])
		return
	}
	work := ts.Getenv("WORK")
	if _, dup := sentinelSigstores.LoadOrStore(work, s); dup {
		s.Close()
		ts.Fatalf("sentinel-sigstore: this script already started one")
	}
	ts.Defer(func() {
		sentinelSigstores.Delete(work)
		s.Close()
	})
	writeRoot(ts, s, args[0])
	ts.Setenv("FULCIO_URL", s.Fulcio.URL)
	ts.Setenv("REKOR_URL", s.Rekor.URL)
	ts.Setenv("ACTIONS_ID_TOKEN_REQUEST_URL", s.TokenURL())
	ts.Setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", sigstoretest.RequestToken)
}

func writeRoot(ts *testscript.TestScript, s *sigstoretest.Sigstore, file string) {
	js, err := s.TrustedRootJSON()
	ts.Check(err)
	path := ts.MkAbs(file)
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
	ts.Check(os.WriteFile(path, js, 0o644))
}

func cmdSentinelWorkflow(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sentinel-workflow JOB_WORKFLOW_REF")
	}
	s, ok := sentinelSigstores.Load(ts.Getenv("WORK"))
	if !ok {
		ts.Fatalf("sentinel-workflow: run sentinel-sigstore first")
	}
	s.(*sigstoretest.Sigstore).SetWorkflow(args[0])
}

func cmdSentinelReplace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: sentinel-replace FILE OLD NEW")
	}
	path := ts.MkAbs(args[0])
	b, err := os.ReadFile(path)
	ts.Check(err)
	if !strings.Contains(string(b), args[1]) {
		ts.Fatalf("sentinel-replace: %s does not contain %q", args[0], args[1])
	}
	ts.Check(os.WriteFile(path, []byte(strings.ReplaceAll(string(b), args[1], args[2])), 0o644))
}

func cmdSentinelTree(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: sentinel-tree DIR FILE")
	}
	root := ts.MkAbs(args[0])
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s link -> %s\n", filepath.ToSlash(rel), t)
		case fi.IsDir():
			fmt.Fprintf(&b, "%s dir %v\n", filepath.ToSlash(rel), fi.Mode().Perm())
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			fmt.Fprintf(&b, "%s file %v %d %s\n", filepath.ToSlash(rel), fi.Mode(), fi.Size(), hex.EncodeToString(sum[:]))
		}
		return nil
	})
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644))
}
