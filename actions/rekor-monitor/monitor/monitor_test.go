package monitor_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/hubgates/hub/actions/rekor-monitor/monitor"
	"github.com/hubgates/hub/actions/rekor-monitor/monitor/rekortest"
	"github.com/hubgates/hub/shared/fsroot"
)

const (
	issuer  = "https://token.actions.githubusercontent.com"
	release = "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0"
	rogue   = "https://github.com/acme/app/.github/workflows/ci.yml@refs/heads/feature"
	other   = "https://github.com/someone/else/.github/workflows/release.yml@refs/tags/v2"
)

func newLog(t *testing.T) *rekortest.Log {
	t.Helper()
	l, err := rekortest.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l
}

func add(t *testing.T, l *rekortest.Log, id string, at time.Time) {
	t.Helper()
	if err := l.Add(id, issuer, "refs/x", at); err != nil {
		t.Fatal(err)
	}
}

func newMonitor(t *testing.T, l *rekortest.Log) *monitor.Monitor {
	t.Helper()
	pemKey, err := l.PublicKeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := signature.LoadVerifier(pub, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return &monitor.Monitor{
		Client: &monitor.Client{BaseURL: l.URL(), Retry: monitor.Retry{Attempts: 3, Base: time.Millisecond}},
		LogKey: v,
		Policy: monitor.Policy{
			Watch: []*regexp.Regexp{regexp.MustCompile(`^https://github\.com/acme/`)},
			Allow: []*regexp.Regexp{regexp.MustCompile(`^https://github\.com/acme/app/\.github/workflows/release\.yml@refs/tags/v[0-9.]+$`)},
		},
	}
}

// baseline starts a state on l as it is now.
func baseline(t *testing.T, m *monitor.Monitor) *monitor.State {
	t.Helper()
	rep, st, err := m.Run(context.Background(), nil)
	if err != nil || !rep.Initialized {
		t.Fatalf("initializing: %v %+v", err, rep)
	}
	return st
}

func TestUnexpectedEntryFound(t *testing.T) {
	l := newLog(t)
	now := time.Now()
	add(t, l, release, now)
	m := newMonitor(t, l)
	st := baseline(t, m)
	if st.NextIndex != 1 {
		t.Fatalf("a new state starts at the head: NextIndex = %d, want 1", st.NextIndex)
	}
	for i := 0; i < 12; i++ { // more than one retrieve batch
		add(t, l, other, now)
	}
	add(t, l, release, now)
	add(t, l, rogue, now)
	rep, next, err := m.Run(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if rep.From != 1 || rep.To != 15 || next.NextIndex != 15 || next.TreeSize != 15 {
		t.Fatalf("checked [%d,%d), next %d size %d; want [1,15), 15, 15", rep.From, rep.To, next.NextIndex, next.TreeSize)
	}
	if len(rep.Matches) != 2 {
		t.Fatalf("matches = %+v, want the release and the rogue entry", rep.Matches)
	}
	un := rep.Unexpected()
	if len(un) != 1 || un[0].Identity != rogue || un[0].LogIndex != 14 || un[0].Issuer != issuer {
		t.Fatalf("unexpected = %+v, want the rogue entry at index 14", un)
	}

	// Nothing new: nothing checked, nothing found.
	rep, next, err = m.Run(context.Background(), next)
	if err != nil || rep.From != rep.To || len(rep.Matches) != 0 || next.NextIndex != 15 {
		t.Fatalf("second run: %v %+v", err, rep)
	}
}

func TestTimeWindowAndCap(t *testing.T) {
	l := newLog(t)
	m := newMonitor(t, l)
	st := baseline(t, m)
	old := time.Now().Add(-48 * time.Hour)
	add(t, l, rogue, old)
	for i := 0; i < 4; i++ {
		add(t, l, rogue, time.Now())
	}
	m.Policy.Since = time.Now().Add(-time.Hour)
	m.Policy.MaxEntries = 3
	rep, next, err := m.Run(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped != 1 || len(rep.Matches) != 2 || rep.Remaining != 2 || next.NextIndex != 3 {
		t.Fatalf("skipped %d, matches %d, remaining %d, next %d; want 1, 2, 2, 3", rep.Skipped, len(rep.Matches), rep.Remaining, next.NextIndex)
	}
	rep, _, err = m.Run(context.Background(), next)
	if err != nil || len(rep.Matches) != 2 || rep.Remaining != 0 {
		t.Fatalf("second run: %v, %d matches, %d remaining", err, len(rep.Matches), rep.Remaining)
	}
}

func TestInconsistentCheckpointDetected(t *testing.T) {
	l := newLog(t)
	add(t, l, release, time.Now())
	add(t, l, release, time.Now())
	m := newMonitor(t, l)
	st := baseline(t, m)
	add(t, l, release, time.Now())
	if err := l.Fork(); err != nil {
		t.Fatal(err)
	}
	_, next, err := m.Run(context.Background(), st)
	if !errors.Is(err, monitor.ErrInconsistent) || next != nil || !monitor.IsVerdict(err) {
		t.Fatalf("Run = %v (state %v), want ErrInconsistent and no new state", err, next)
	}
	if l.Calls("/api/v1/log/proof") != 1 {
		t.Errorf("the consistency proof was asked %d times, want 1", l.Calls("/api/v1/log/proof"))
	}

	// Same size, another root (a second rewrite): inconsistent without
	// any proof to ask for.
	st2 := baseline(t, m)
	if err := l.Fork(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Run(context.Background(), st2); !errors.Is(err, monitor.ErrInconsistent) {
		t.Fatalf("changed root at the same size: %v, want ErrInconsistent", err)
	}
	if l.Calls("/api/v1/log/proof") != 1 {
		t.Errorf("a proof was asked for a same-size tree")
	}
	// A shrunk tree.
	st2.TreeSize = 99
	if _, _, err := m.Run(context.Background(), st2); !errors.Is(err, monitor.ErrInconsistent) {
		t.Fatalf("shrunk tree: %v, want ErrInconsistent", err)
	}
}

func TestCheckpointSignedByAnotherKey(t *testing.T) {
	l := newLog(t)
	m := newMonitor(t, l)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	v, _ := signature.LoadVerifier(k.Public(), crypto.SHA256)
	m.LogKey = v
	if _, _, err := m.Run(context.Background(), nil); !errors.Is(err, monitor.ErrBadCheckpoint) {
		t.Fatalf("Run = %v, want ErrBadCheckpoint", err)
	}
}

func TestUnavailableRetriedThenFails(t *testing.T) {
	l := newLog(t)
	m := newMonitor(t, l)
	l.SetFailure(rekortest.Unavailable)
	_, _, err := m.Run(context.Background(), nil)
	if !errors.Is(err, monitor.ErrUnavailable) {
		t.Fatalf("Run = %v, want ErrUnavailable", err)
	}
	if n := l.Calls("/api/v1/log"); n != 3 {
		t.Errorf("503s were tried %d times, want 3 (the retry budget)", n)
	}
}

func TestMalformedNotRetried(t *testing.T) {
	l := newLog(t)
	m := newMonitor(t, l)
	l.SetFailure(rekortest.Malformed)
	_, _, err := m.Run(context.Background(), nil)
	if !errors.Is(err, monitor.ErrMalformed) {
		t.Fatalf("Run = %v, want ErrMalformed", err)
	}
	if n := l.Calls("/api/v1/log"); n != 1 {
		t.Errorf("a malformed answer was asked %d times, want 1", n)
	}
}

// TestHungLogReturnsWithinTimeout: a log that never answers; Run returns
// when the context ends. Without the deadline this test would hang.
func TestHungLogReturnsWithinTimeout(t *testing.T) {
	l := newLog(t)
	m := newMonitor(t, l)
	l.SetFailure(rekortest.Hang)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, _, err := m.Run(ctx, nil)
	if !errors.Is(err, monitor.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want ErrUnavailable after the deadline", err)
	}
}

func TestStateFile(t *testing.T) {
	root, err := fsroot.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	const path = "state.json"
	if _, err := monitor.LoadState(root, path); !errors.Is(err, monitor.ErrNoState) {
		t.Fatalf("LoadState(missing) = %v, want ErrNoState", err)
	}
	l := newLog(t)
	add(t, l, release, time.Now())
	st := baseline(t, newMonitor(t, l))
	if err := st.Save(root, path); err != nil {
		t.Fatal(err)
	}
	got, err := monitor.LoadState(root, path)
	if err != nil || got.RootHash != st.RootHash || got.TreeSize != 1 || got.NextIndex != 1 {
		t.Fatalf("LoadState = %+v, %v", got, err)
	}
}

// TestSwappedEntryBodyRefused: a log (or a proxy) answering an index with
// an entry whose body is not the leaf its UUID names, or with another
// index, is malformed.
func TestSwappedEntryBodyRefused(t *testing.T) {
	l := newLog(t)
	m := newMonitor(t, l)
	st := baseline(t, m)
	add(t, l, rogue, time.Now())
	add(t, l, release, time.Now())
	upstream := m.Client.BaseURL
	for name, rewrite := range map[string]func([]map[string]map[string]any){
		"body swapped": func(es []map[string]map[string]any) {
			var bodies []any
			for _, e := range es {
				for _, v := range e {
					bodies = append(bodies, v["body"])
				}
			}
			for i, e := range es {
				for _, v := range e {
					v["body"] = bodies[(i+1)%len(bodies)]
				}
			}
		},
		"other index": func(es []map[string]map[string]any) {
			for _, e := range es {
				for _, v := range e {
					v["logIndex"] = 0
				}
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				req, _ := http.NewRequestWithContext(r.Context(), r.Method, upstream+r.URL.RequestURI(), r.Body)
				req.Header = r.Header.Clone()
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				if r.URL.Path == "/api/v1/log/entries/retrieve" {
					var es []map[string]map[string]any
					if err := json.Unmarshal(body, &es); err == nil {
						rewrite(es)
						body, _ = json.Marshal(es)
					}
				}
				w.WriteHeader(resp.StatusCode)
				_, _ = w.Write(body)
			}))
			defer proxy.Close()
			pm := *m
			pm.Client = &monitor.Client{BaseURL: proxy.URL, Retry: m.Client.Retry}
			if _, _, err := pm.Run(context.Background(), st); !errors.Is(err, monitor.ErrMalformed) {
				t.Fatalf("Run = %v, want ErrMalformed", err)
			}
		})
	}
}
