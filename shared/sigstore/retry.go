package sigstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Retry says how a service client retries: only transient failures (a
// network error, HTTP 429 or 5xx), at most Attempts times in all, waiting
// Base, 2×Base, 4×Base... each with up to 50% random jitter. The zero Retry
// makes three attempts starting at half a second.
type Retry struct {
	Attempts int
	Base     time.Duration
}

func (r Retry) attempts() int {
	if r.Attempts <= 0 {
		return 3
	}
	return r.Attempts
}

func (r Retry) wait(attempt int) time.Duration {
	base := r.Base
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	d := base << attempt
	return d + time.Duration(rand.Int64N(int64(d)/2+1))
}

// maxResponse bounds what a service may send back.
const maxResponse = 10 << 20

// statusError is a non-2xx answer.
type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("HTTP %d: %.300s", e.status, e.body)
}

func transient(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return se.status == http.StatusTooManyRequests || se.status >= 500
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// Do sends the request newReq builds (again on every attempt) and returns
// the body of a 2xx answer, retrying transient failures as r says. what
// names the call in errors; an answer with a non-2xx status wraps
// [ErrService], a cancelled or expired ctx wraps its cause.
func (r Retry) Do(ctx context.Context, client *http.Client, what string, newReq func(context.Context) (*http.Request, error)) ([]byte, error) {
	if client == nil {
		client = http.DefaultClient
	}
	var last error
	tries := 0
	for attempt := range r.attempts() {
		if attempt > 0 {
			t := time.NewTimer(r.wait(attempt - 1))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%s: %w (last error: %v)", what, context.Cause(ctx), last)
			case <-t.C:
			}
		}
		req, err := newReq(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		tries++
		body, err := roundTrip(client, req)
		if err == nil {
			return body, nil
		}
		last = err
		if ctx.Err() != nil || !transient(err) {
			break
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
	var se *statusError
	if errors.As(last, &se) {
		return nil, fmt.Errorf("%w: %s: %v (%d attempts)", ErrService, what, last, tries)
	}
	return nil, fmt.Errorf("%s: %w (%d attempts)", what, last, tries)
}

func roundTrip(client *http.Client, req *http.Request) ([]byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// One line, so the error reads whole in a log and a summary.
		return nil, &statusError{status: resp.StatusCode, body: strings.Join(strings.Fields(string(body)), " ")}
	}
	return body, nil
}
