package sbomgate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/fsroot"
)

// feed describes one data feed the risk score reads.
type feed struct {
	// input is the input naming the source; kind names the feed in
	// messages and cache files ("kev", "epss").
	input, kind string
	// max bounds the file or download.
	max int64
	// parse checks the bytes are the feed.
	parse func([]byte) error
}

// isURL reports whether a feed source is a URL rather than a file.
func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// fetcher downloads feeds: with retries of transient failures and a size
// cap, through a cache of one file per feed, URL and UTC day.
type fetcher struct {
	client *http.Client
	cache  *fsroot.Root // nil: no cache
	dir    string       // the cache's folder inside cache
	today  string       // YYYY-MM-DD, the cache key's day
	tries  int
	base   time.Duration
}

// errFetch marks a feed that could not be fetched: the run is undecided.
var errFetch = errors.New("feed not fetched")

// cacheName is the cache file of a URL on the fetcher's day.
func (f *fetcher) cacheName(fd feed, url string) string {
	h := sha256.Sum256([]byte(url))
	return f.dir + "/" + fd.kind + "-" + f.today + "-" + hex.EncodeToString(h[:6])
}

// fetch returns the feed's bytes from the day's cache or the URL, and the
// evidence record of what was used.
func (f *fetcher) fetch(ctx context.Context, fd feed, url string) ([]byte, evidence.Artifact, error) {
	if f.cache != nil {
		if b, err := f.cache.ReadFile(f.cacheName(fd, url), fd.max); err == nil && fd.parse(b) == nil {
			return b, artifact(url+" (cached "+f.today+")", b), nil
		}
	}
	b, err := f.download(ctx, fd, url)
	if err != nil {
		return nil, evidence.Artifact{}, err
	}
	if err := fd.parse(b); err != nil {
		return nil, evidence.Artifact{}, fmt.Errorf("%w: %s from %s: the answer is unusable: %v", errFetch, fd.kind, url, err)
	}
	if f.cache != nil {
		// A cache that cannot be written costs a download next time, not
		// this run's verdict.
		if f.cache.MkdirAll(f.dir, 0o755) == nil {
			_ = f.cache.WriteFile(f.cacheName(fd, url), b, 0o644)
		}
	}
	return b, artifact(url, b), nil
}

// download GETs url, retrying network errors, 429 and 5xx with backoff and
// jitter, until ctx ends.
func (f *fetcher) download(ctx context.Context, fd feed, url string) ([]byte, error) {
	tries := max(f.tries, 1)
	var last error
	for attempt := range tries {
		if attempt > 0 {
			d := f.base << (attempt - 1)
			d += time.Duration(rand.Int64N(int64(d)/2 + 1))
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%w: %s from %s: %w (last error: %v)", errFetch, fd.kind, url, context.Cause(ctx), last)
			case <-t.C:
			}
		}
		b, retry, err := f.get(ctx, fd, url)
		if err == nil {
			return b, nil
		}
		last = err
		if !retry || ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%w: %s from %s: nothing fetched in time: %w", errFetch, fd.kind, url, context.Cause(ctx))
	}
	return nil, fmt.Errorf("%w: %s from %s: %v", errFetch, fd.kind, url, last)
}

// get makes one request; retry says whether the failure is transient.
func (f *fetcher) get(ctx context.Context, fd feed, url string) ([]byte, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, false, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, true, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, fd.max+1))
	if err != nil {
		return nil, true, err
	}
	if int64(len(b)) > fd.max {
		return nil, false, fmt.Errorf("the answer is larger than %d bytes", fd.max)
	}
	return b, false, nil
}

// artifact is the evidence record of bytes read from name.
func artifact(name string, b []byte) evidence.Artifact {
	return evidence.Artifact{Path: name, Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))}
}
