package signer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/hubgates/hub/actions/sign/signer"
	"github.com/hubgates/hub/shared/sigstore"
)

// cancellingSigner signs, and cancels the run while doing so, as a
// SIGTERM arriving mid-signature does.
type cancellingSigner struct {
	sigstore.Signer
	cancel context.CancelFunc
}

func (c cancellingSigner) SignReader(ctx context.Context, r io.Reader) (*sigstore.Signature, error) {
	c.cancel()
	return c.Signer.SignReader(context.WithoutCancel(ctx), r)
}

// TestCancelledRunWritesNoBundle: a run cancelled while signing leaves no
// bundle, though the signature itself was made; its twin, not cancelled,
// writes the bundle.
func TestCancelledRunWritesNoBundle(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := sigstore.NewKeySigner(k)
	if err != nil {
		t.Fatal(err)
	}
	for _, cancelled := range []bool{false, true} {
		ws := t.TempDir()
		if err := os.WriteFile(filepath.Join(ws, "app.tar.gz"), []byte("artifact"), 0o644); err != nil {
			t.Fatal(err)
		}
		root := openRoot(t, ws)
		arts, err := signer.Resolve(root, []string{"app.tar.gz"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		var s sigstore.Signer = ks
		if cancelled {
			s = cancellingSigner{Signer: ks, cancel: cancel}
		}
		_, err = signer.SignFiles(ctx, root, arts, s)
		cancel()
		_, statErr := os.Stat(filepath.Join(ws, "app.tar.gz.sigstore.json"))
		switch {
		case cancelled && (!errors.Is(err, context.Canceled) || !errors.Is(statErr, os.ErrNotExist)):
			t.Errorf("cancelled: err %v, bundle stat %v; want context.Canceled and no bundle", err, statErr)
		case !cancelled && (err != nil || statErr != nil):
			t.Errorf("not cancelled: err %v, bundle stat %v", err, statErr)
		}
	}
}
