package sigverify

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/hubgates/hub/shared/sigstore"
)

// FetchTrustedRoot fetches the Sigstore trusted root through TUF from
// mirror (tuf.DefaultMirror for the public-good instance), anchored in the
// TUF root sigstore-go embeds, with no cache on disk. Every download is
// made with ctx, so a mirror that does not answer is abandoned when ctx
// ends, and the error names the mirror.
//
// It differs from sigstore.FetchTrustedRoot, which gives up on the fetch
// when ctx ends but leaves its request running against the default mirror:
// here the mirror is an input and the request itself is cancelled.
func FetchTrustedRoot(ctx context.Context, mirror string, client *http.Client) (*root.TrustedRoot, error) {
	what := "fetching the Sigstore trusted root through TUF from " + mirror
	opts := tuf.DefaultOptions()
	opts.RepositoryBaseURL = mirror
	opts.DisableLocalCache = true
	opts.Fetcher = &ctxFetcher{ctx: ctx, client: client}
	type outcome struct {
		tr  *root.TrustedRoot
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		tr, err := root.FetchTrustedRootWithOptions(opts)
		done <- outcome{tr, err}
	}()
	select {
	case o := <-done:
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", what, context.Cause(ctx))
		}
		if o.err != nil {
			return nil, fmt.Errorf("%w: %s: %v", sigstore.ErrService, what, o.err)
		}
		return o.tr, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
}

// ctxFetcher is go-tuf's fetcher.Fetcher with every request bound to ctx.
type ctxFetcher struct {
	ctx    context.Context
	client *http.Client
}

// DownloadFile fetches url, refusing more than maxLength bytes.
func (f *ctxFetcher) DownloadFile(url string, maxLength int64, timeout time.Duration) ([]byte, error) {
	ctx := f.ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	client := f.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &metadata.ErrDownloadHTTP{StatusCode: resp.StatusCode, URL: url}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxLength+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > maxLength {
		return nil, &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("download failed for %s, larger than %d bytes", url, maxLength)}
	}
	return b, nil
}
