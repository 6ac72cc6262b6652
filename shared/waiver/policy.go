package waiver

import (
	"errors"
	"fmt"
	"time"
)

// DefaultMaxDays is how far ahead a waiver may expire unless the gate's
// max-waiver-days input says otherwise: a quarter, so every exception is
// looked at again at least that often.
const DefaultMaxDays = 90

// Policy is what every waiver check depends on: the current time, which
// decides expiry, and the longest a waiver may run. Build it once per gate
// run with [NewPolicy] and use it for the configuration file, the inline
// waivers and [Policy.Apply], so all three agree on what "today" is.
type Policy struct {
	now     time.Time
	today   time.Time // now's date in UTC, at 00:00
	maxDays int
}

// Option adjusts a Policy. An option checks its argument, and a bad one
// makes NewPolicy fail.
type Option func(*Policy) error

// WithMaxDays sets the longest a waiver may run: its expiry may be at most
// n days after today (UTC). n must be at least 1.
func WithMaxDays(n int) Option {
	return func(p *Policy) error {
		if n < 1 {
			return fmt.Errorf("%w: max days: expected 1 or more, got %d", ErrBadValue, n)
		}
		p.maxDays = n
		return nil
	}
}

// NewPolicy returns the policy in force at now (a gate passes
// gate.Env.Now, so tests can inject the clock). Without options a waiver
// may run [DefaultMaxDays] days.
func NewPolicy(now time.Time, opts ...Option) (*Policy, error) {
	if now.IsZero() {
		return nil, errors.New("waiver: policy needs the current time, got the zero time")
	}
	u := now.UTC()
	p := &Policy{now: u, today: time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC), maxDays: DefaultMaxDays}
	for i, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("waiver: option %d is nil", i)
		}
		if err := opt(p); err != nil {
			return nil, fmt.Errorf("waiver: %w", err)
		}
	}
	return p, nil
}

// Today returns the policy's date in UTC as "YYYY-MM-DD".
func (p *Policy) Today() string { return p.today.Format(DateLayout) }

// MaxDays returns the longest a waiver may run, in days.
func (p *Policy) MaxDays() int { return p.maxDays }

// Latest returns the last expiry date the policy accepts.
func (p *Policy) Latest() time.Time { return p.today.AddDate(0, 0, p.maxDays) }

// Expired reports whether w no longer waives anything: its expiry day has
// ended in UTC. A waiver that expires today still holds until 24:00 UTC.
func (p *Policy) Expired(w Waiver) bool {
	return !p.now.Before(w.Expires.AddDate(0, 0, 1))
}

// Check reports what is wrong with w: a malformed field (wrapping
// ErrMissing or ErrBadValue) or an expiry more than MaxDays after today
// (wrapping ErrTooLong). An expired waiver is not an error: it stops
// waiving, and Apply reports it.
func (p *Policy) Check(w Waiver) error {
	if err := checkShape(w); err != nil {
		return err
	}
	if days := int(w.Expires.Sub(p.today).Hours() / 24); w.Expires.After(p.Latest()) {
		return fmt.Errorf("%w: expected expires on or before %q (%d days from %s), got %q (%d days)",
			ErrTooLong, p.Latest().Format(DateLayout), p.maxDays, p.Today(), w.ExpiresOn(), days)
	}
	return nil
}

// parseDate reads a "YYYY-MM-DD" date as 00:00 UTC of that day.
func parseDate(s string) (time.Time, error) {
	t, err := time.ParseInLocation(DateLayout, s, time.UTC)
	if err != nil || t.Format(DateLayout) != s {
		return time.Time{}, fmt.Errorf("%w: expected a date as YYYY-MM-DD, got %q", ErrBadValue, s)
	}
	return t, nil
}
