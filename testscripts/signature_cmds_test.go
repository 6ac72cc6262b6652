package testscripts

import (
	"io"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/rogpeppe/go-internal/testscript"
)

// The sign and verify-signature scripts' commands, registered in
// TestScripts: an OCI registry for the script's images.
//
//	oci-registry [-no-referrers]
//	    start an in-process OCI registry (go-containerregistry's) for this
//	    script and set $REGISTRY to its host:port; with -no-referrers it
//	    lacks the referrers API, so referrers go to the sha256-<hex> tag
//	oci-push REF
//	    push a new random image to REF (a tag moves to it) and set
//	    $PUSHED_DIGEST to its digest

func cmdOCIRegistry(ts *testscript.TestScript, neg bool, args []string) {
	referrers := true
	if len(args) == 1 && args[0] == "-no-referrers" {
		referrers, args = false, args[1:]
	}
	if neg || len(args) != 0 {
		ts.Fatalf("usage: oci-registry [-no-referrers]")
	}
	srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0))))
	ts.Defer(srv.Close)
	ts.Setenv("REGISTRY", strings.TrimPrefix(srv.URL, "http://"))
}

func cmdOCIPush(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: oci-push REF")
	}
	ref, err := name.ParseReference(args[0])
	ts.Check(err)
	img, err := random.Image(256, 1)
	ts.Check(err)
	ts.Check(remote.Write(ref, img))
	h, err := img.Digest()
	ts.Check(err)
	ts.Setenv("PUSHED_DIGEST", h.String())
}
