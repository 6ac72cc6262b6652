package monitor

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

// Retry says how calls are retried: only transient failures (a network
// error, HTTP 429 or 5xx), at most Attempts times in all, waiting Base,
// 2×Base, 4×Base... each plus up to 50% random jitter. The zero Retry
// makes four attempts starting at half a second.
type Retry struct {
	Attempts int
	Base     time.Duration
}

func (r Retry) attempts() int {
	if r.Attempts <= 0 {
		return 4
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

// maxResponse bounds what the log may send back for one call.
const maxResponse = 32 << 20

// StatusError is a non-2xx answer from the log.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d: %.200s", e.Status, e.Body)
}

// transient reports whether err may go away on its own.
func transient(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status == http.StatusTooManyRequests || se.Status >= 500
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// do sends the request newReq builds (afresh on every attempt) and
// returns the body of a 2xx answer; errors wrap ErrUnavailable.
func (r Retry) do(ctx context.Context, client *http.Client, what string, newReq func(context.Context) (*http.Request, error)) ([]byte, error) {
	var last error
	tries := 0
	for attempt := range r.attempts() {
		if attempt > 0 {
			t := time.NewTimer(r.wait(attempt - 1))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%w: %s: %w after %d attempts (last error: %v)", ErrUnavailable, what, context.Cause(ctx), tries, last)
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
		return nil, fmt.Errorf("%w: %s: %w", ErrUnavailable, what, context.Cause(ctx))
	}
	return nil, fmt.Errorf("%w: %s: %v (%d attempts)", ErrUnavailable, what, last, tries)
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
		return nil, &StatusError{Status: resp.StatusCode, Body: strings.Join(strings.Fields(string(body)), " ")}
	}
	return body, nil
}
