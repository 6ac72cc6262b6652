package orgguard

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v75/github"
)

// client speaks to the GitHub REST API through go-github. It retries what
// is worth retrying (secondary rate limits, server errors) a bounded number
// of times, waiting what the server's Retry-After asks, and turns 403 and
// 404 answers into a *PermissionError: GitHub answers 404 as well as 403
// to a token that may not see a setting.
type client struct {
	gh *github.Client
	// maxWait caps one wait for a secondary rate limit; a longer one ends
	// the run undecided rather than sit out the job's time.
	maxWait time.Duration
	// calls counts requests sent, for the telemetry counters.
	calls int
	// sleep waits d or until ctx ends.
	sleep func(ctx context.Context, d time.Duration) error
}

// maxAttempts bounds the tries of one request.
const maxAttempts = 4

// ErrBadAPIURL is a github-api-url that is not an http(s) URL.
var ErrBadAPIURL = errors.New("invalid GitHub API URL")

func newClient(token, apiURL string, hc *http.Client) (*client, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	gh := github.NewClient(hc).WithAuthToken(token)
	if apiURL != "" {
		u, err := url.Parse(strings.TrimSuffix(apiURL, "/") + "/")
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("%w %q: want an http(s) URL such as https://api.github.com", ErrBadAPIURL, apiURL)
		}
		gh.BaseURL = u
	}
	return &client{gh: gh, maxWait: time.Minute, sleep: sleepCtx}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PermissionError is an answer of 403 or 404 to a request for a setting:
// the token lacks the permission Needs names (or the setting does not
// exist for this account, which GitHub does not tell apart).
type PermissionError struct {
	Method, Path string
	Status       int
	Needs        string
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("%s /%s answered %d: the token needs %s", e.Method, e.Path, e.Status, e.Needs)
}

// do sends one request and decodes the answer into out (when not nil).
// needs names the permission a 403 or 404 means is missing.
func (c *client) do(ctx context.Context, method, path string, body, out any, needs string) (*github.Response, error) {
	var err error
	for attempt := range maxAttempts {
		if attempt > 0 {
			wait, ok := c.retryAfter(err, attempt)
			if !ok {
				break
			}
			if serr := c.sleep(ctx, wait); serr != nil {
				return nil, fmt.Errorf("%s /%s: %w (after %v)", method, path, serr, err)
			}
		}
		var req *http.Request
		req, err = c.gh.NewRequest(method, path, body)
		if err != nil {
			return nil, fmt.Errorf("%s /%s: %w", method, path, err)
		}
		c.calls++
		var resp *github.Response
		resp, err = c.gh.Do(ctx, req, out)
		if err == nil {
			return resp, nil
		}
		if !transient(err) {
			break
		}
	}
	return nil, classify(method, path, err, needs)
}

// retryAfter says how long to wait before the next try, and whether to try
// again at all.
func (c *client) retryAfter(err error, attempt int) (time.Duration, bool) {
	if !transient(err) {
		return 0, false
	}
	wait := time.Duration(250<<attempt)*time.Millisecond + time.Duration(rand.Int64N(int64(100*time.Millisecond)))
	var ar *github.AbuseRateLimitError
	if errors.As(err, &ar) && ar.RetryAfter != nil {
		wait = *ar.RetryAfter
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusTooManyRequests {
		if s, perr := strconv.Atoi(er.Response.Header.Get("Retry-After")); perr == nil && s >= 0 {
			wait = time.Duration(s) * time.Second
		}
	}
	return wait, wait <= c.maxWait
}

// transient reports errors worth another try: secondary rate limits (403
// with GitHub's documentation link, or 429) and server errors. A spent
// primary rate limit resets in up to an hour and is not waited for.
func transient(err error) bool {
	var ar *github.AbuseRateLimitError
	if errors.As(err, &ar) {
		return true
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		return false
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode == http.StatusTooManyRequests || er.Response.StatusCode >= 500
	}
	return false
}

func classify(method, path string, err error, needs string) error {
	var er *github.ErrorResponse
	var ar *github.AbuseRateLimitError
	var rl *github.RateLimitError
	switch {
	case errors.As(err, &ar):
		return fmt.Errorf("%s /%s: secondary rate limit still in force after %d tries: %w", method, path, maxAttempts, err)
	case errors.As(err, &rl):
		return fmt.Errorf("%s /%s: the API rate limit is spent until %v: %w", method, path, rl.Rate.Reset.Time.UTC().Format(time.RFC3339), err)
	case errors.As(err, &er) && er.Response != nil && (er.Response.StatusCode == http.StatusForbidden || er.Response.StatusCode == http.StatusNotFound):
		return &PermissionError{Method: method, Path: path, Status: er.Response.StatusCode, Needs: needs}
	}
	return fmt.Errorf("%s /%s: %w", method, path, err)
}

// status returns the HTTP status of an API error, or 0.
func status(err error) int {
	var pe *PermissionError
	if errors.As(err, &pe) {
		return pe.Status
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}
