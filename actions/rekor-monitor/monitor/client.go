package monitor

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/hubgates/hub/shared/sigstore"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Client reads a Rekor log through its v1 REST API.
type Client struct {
	// BaseURL is the log's address, such as https://rekor.sigstore.dev.
	BaseURL string
	// HTTP is the client used; nil means http.DefaultClient.
	HTTP *http.Client
	// Retry says how transient failures are retried.
	Retry Retry
}

// LogInfo is the log's current state, GET /api/v1/log.
type LogInfo struct {
	RootHash       string `json:"rootHash"`
	TreeSize       int64  `json:"treeSize"`
	SignedTreeHead string `json:"signedTreeHead"`
	TreeID         string `json:"treeID"`
	InactiveShards []struct {
		TreeSize int64  `json:"treeSize"`
		TreeID   string `json:"treeID"`
	} `json:"inactiveShards"`
}

// Offset is the number of entries in the log's inactive shards, which
// precede the active shard's in the global log index.
func (l *LogInfo) Offset() int64 {
	var n int64
	for _, s := range l.InactiveShards {
		n += s.TreeSize
	}
	return n
}

// Entry is one log entry as /api/v1/log/entries/retrieve returns it.
type Entry struct {
	UUID           string `json:"-"`
	Body           string `json:"body"`
	IntegratedTime int64  `json:"integratedTime"`
	LogIndex       int64  `json:"logIndex"`
	LogID          string `json:"logID"`
}

func (c *Client) http() *http.Client {
	if c.HTTP == nil {
		return http.DefaultClient
	}
	return c.HTTP
}

func (c *Client) url(path string) string {
	return strings.TrimSuffix(c.BaseURL, "/") + path
}

func (c *Client) get(ctx context.Context, what, u string) ([]byte, error) {
	return c.call(ctx, what, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err == nil {
			req.Header.Set("Accept", "application/json")
		}
		return req, err
	})
}

// LogInfo fetches the log's current tree head.
func (c *Client) LogInfo(ctx context.Context) (*LogInfo, error) {
	body, err := c.get(ctx, "GET "+c.url("/api/v1/log"), c.url("/api/v1/log"))
	if err != nil {
		return nil, err
	}
	var li LogInfo
	if err := json.Unmarshal(body, &li); err != nil {
		return nil, fmt.Errorf("%w: /api/v1/log: %v", ErrMalformed, err)
	}
	if _, err := hex.DecodeString(li.RootHash); err != nil || len(li.RootHash) != 64 || li.TreeSize < 0 {
		return nil, fmt.Errorf("%w: /api/v1/log: expected a 64-hex rootHash and a treeSize, got %q and %d", ErrMalformed, li.RootHash, li.TreeSize)
	}
	return &li, nil
}

// ConsistencyProof fetches the proof that the tree of size first is a
// prefix of the tree of size last, as raw hashes.
func (c *Client) ConsistencyProof(ctx context.Context, first, last int64, treeID string) ([][]byte, error) {
	q := url.Values{"firstSize": {strconv.FormatInt(first, 10)}, "lastSize": {strconv.FormatInt(last, 10)}}
	if treeID != "" {
		q.Set("treeID", treeID)
	}
	u := c.url("/api/v1/log/proof") + "?" + q.Encode()
	body, err := c.get(ctx, "GET "+u, u)
	if err != nil {
		return nil, err
	}
	var p struct {
		RootHash string   `json:"rootHash"`
		Hashes   []string `json:"hashes"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("%w: /api/v1/log/proof: %v", ErrMalformed, err)
	}
	out := make([][]byte, 0, len(p.Hashes))
	for _, h := range p.Hashes {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("%w: /api/v1/log/proof: hash %q is not 64 hex characters", ErrMalformed, h)
		}
		out = append(out, b)
	}
	return out, nil
}

// MaxBatch is how many log indexes one retrieve request asks for: the
// limit Rekor's API sets (SearchLogQuery.logIndexes, maxItems 10).
const MaxBatch = 10

// Entries fetches the entries at the given global log indexes (at most
// MaxBatch).
func (c *Client) Entries(ctx context.Context, indexes []int64) ([]Entry, error) {
	if len(indexes) > MaxBatch {
		return nil, fmt.Errorf("entries: %d indexes asked, at most %d allowed", len(indexes), MaxBatch)
	}
	req, err := json.Marshal(map[string][]int64{"logIndexes": indexes})
	if err != nil {
		return nil, err
	}
	u := c.url("/api/v1/log/entries/retrieve")
	body, err := c.call(ctx, "POST "+u, func(ctx context.Context) (*http.Request, error) {
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(req))
		if err == nil {
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Accept", "application/json")
		}
		return r, err
	})
	if err != nil {
		return nil, err
	}
	var raw []map[string]Entry
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("%w: /api/v1/log/entries/retrieve: %v", ErrMalformed, err)
	}
	var out []Entry
	for _, m := range raw {
		for uuid, e := range m {
			e.UUID = uuid
			out = append(out, e)
		}
	}
	if len(out) != len(indexes) {
		return nil, fmt.Errorf("%w: /api/v1/log/entries/retrieve: expected %d entries, got %d", ErrMalformed, len(indexes), len(out))
	}
	return out, nil
}

// call sends one request through the retry policy; every failure to get an
// answer means the log is unavailable, never a verdict.
func (c *Client) call(ctx context.Context, what string, newReq func(context.Context) (*http.Request, error)) ([]byte, error) {
	body, err := c.Retry.Do(ctx, c.http(), what, newReq)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return body, nil
}

// Retry says how calls are retried: only transient failures (a network
// error, HTTP 429 or 5xx), at most Attempts times in all, with exponential
// backoff and jitter; it is shared/sigstore's policy.
type Retry = sigstore.Retry
