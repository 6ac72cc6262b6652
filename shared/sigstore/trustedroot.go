package sigstore

import (
	"context"
	"fmt"
	"os"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
)

// LoadTrustedRoot reads a trusted_root.json from a path, for tools and
// tests; gates read the file through the workspace root (gate.Inputs) and
// call [ParseTrustedRoot]. It reads a trusted_root.json (the Sigstore trust root
// format: certificate authorities, transparency logs, CT logs, timestamp
// authorities), for verification without any network call.
func LoadTrustedRoot(path string) (*root.TrustedRoot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTrustedRoot, err)
	}
	return ParseTrustedRoot(b)
}

// ParseTrustedRoot reads a trusted_root.json document.
func ParseTrustedRoot(data []byte) (*root.TrustedRoot, error) {
	tr, err := root.NewTrustedRootFromJSON(data)
	if err != nil {
		// The parser's message may quote the file; only an excerpt of it
		// is kept.
		return nil, fmt.Errorf("%w: %s", ErrBadTrustedRoot, Excerpt(err.Error()))
	}
	if len(tr.FulcioCertificateAuthorities()) == 0 && len(tr.RekorLogs()) == 0 {
		return nil, fmt.Errorf("%w: it names no certificate authority and no transparency log", ErrBadTrustedRoot)
	}
	return tr, nil
}

// FetchTrustedRoot fetches the public-good Sigstore trusted root through
// TUF (https://tuf-repo-cdn.sigstore.dev, anchored in the TUF root
// sigstore-go embeds), caching the metadata under cacheDir. It gives up
// when ctx ends: the TUF client has no context of its own, so the fetch is
// abandoned, not interrupted.
func FetchTrustedRoot(ctx context.Context, cacheDir string) (*root.TrustedRoot, error) {
	type outcome struct {
		tr  *root.TrustedRoot
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		opts := tuf.DefaultOptions()
		if cacheDir != "" {
			opts.CachePath = cacheDir
		}
		tr, err := root.FetchTrustedRootWithOptions(opts)
		done <- outcome{tr, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			return nil, fmt.Errorf("%w: fetching the public-good trusted root through TUF: %v", ErrService, o.err)
		}
		return o.tr, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("fetching the public-good trusted root through TUF: %w", context.Cause(ctx))
	}
}
