package sbomgate

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/fsroot"
)

const kevJSON = `{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2026.11.30","dateReleased":"2026-11-30T17:00:00.000Z","count":1,"vulnerabilities":[{"cveID":"CVE-2021-44228","dateAdded":"2021-12-10"}]}`

// A feed is fetched once a day: the second fetch the same day reads the
// cache; a server that fails twice with 503 is retried; one that answers
// 404, sends too much, or does not answer before the deadline is a fetch
// error (undecided), never a feed.
func TestFetcher(t *testing.T) {
	var hits, flaky atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/kev.json", func(w http.ResponseWriter, r *http.Request) { hits.Add(1); w.Write([]byte(kevJSON)) })
	mux.HandleFunc("/flaky.json", func(w http.ResponseWriter, r *http.Request) {
		if flaky.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(kevJSON))
	})
	mux.HandleFunc("/big.json", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 4096)) })
	mux.HandleFunc("/slow.json", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	root, err := fsroot.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	f := &fetcher{client: srv.Client(), cache: root, dir: "cache", today: "2026-12-01", tries: 3, base: time.Millisecond}
	fd := feed{input: "kev", kind: "kev", max: 1024, parse: func(b []byte) error { _, err := ParseKEV(b); return err }}
	ctx := context.Background()
	for range 2 {
		if _, _, err := f.fetch(ctx, fd, srv.URL+"/kev.json"); err != nil {
			t.Fatal(err)
		}
	}
	if hits.Load() != 1 {
		t.Errorf("%d downloads for two fetches on one day", hits.Load())
	}
	f.today = "2026-12-02"
	if _, art, err := f.fetch(ctx, fd, srv.URL+"/kev.json"); err != nil || hits.Load() != 2 || art.Digest == "" {
		t.Errorf("next day: %d downloads, %v", hits.Load(), err)
	}
	if _, _, err := f.fetch(ctx, fd, srv.URL+"/flaky.json"); err != nil || flaky.Load() != 3 {
		t.Errorf("flaky: %d attempts, %v", flaky.Load(), err)
	}
	for _, path := range []string{"/missing.json", "/big.json"} {
		if _, _, err := f.fetch(ctx, fd, srv.URL+path); !errors.Is(err, errFetch) {
			t.Errorf("%s: %v", path, err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, _, err := f.fetch(short, fd, srv.URL+"/slow.json"); !errors.Is(err, errFetch) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("slow: %v", err)
	}
}
