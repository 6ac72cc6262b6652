package drill

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/ociref"
	"github.com/hubgates/hub/shared/sigstore"
)

// DefaultMaxAge is how old the newest drill may be: a week.
const DefaultMaxAge = 7 * 24 * time.Hour

// The freshness rules, shared by dr-drill and promote.
const (
	RuleMissing = "drill-missing"
	RuleFailed  = "drill-failed"
	RuleStale   = "drill-stale"
)

// FreshnessRules describes the freshness rules.
var FreshnessRules = []finding.Rule{
	{ID: RuleMissing, Severity: finding.High, Summary: "No drill record verifies for the expected identity.",
		Help: "Run the scheduled recall drill (workflows/dr-drill.yml); its signed record must name the drill workflow given as drill-identity."},
	{ID: RuleFailed, Severity: finding.High, Summary: "The newest drill failed.",
		Help: "A release could not be recalled and verified: repair what the drill record names, then run the drill again."},
	{ID: RuleStale, Severity: finding.High, Summary: "The newest drill is older than max-drill-age.",
		Help: "Run the recall drill: promotion needs proof that releases can still be recovered, at most max-drill-age ago."},
}

// ErrNotDrill is wrapped when a bundle is not a drill record.
var ErrNotDrill = errors.New("not a hub drill record")

// Candidate is a signed bundle that may be a drill record.
type Candidate struct {
	// Source names where it came from: a file, or a referrer.
	Source string
	Bundle []byte
	// Subject, when set, is the digest the record must be about (the
	// drill subject image); otherwise the statement's own subject is
	// used, the signature covering it all the same.
	Subject *sigstore.Digest
}

// Record is a drill record that verified.
type Record struct {
	Source    string
	Statement Statement
	Signer    *sigstore.Result
}

// Newest verifies every candidate for v and id and returns the newest
// drill that verifies (by its created time) and why each other candidate
// was refused. A record claiming to be created after it was signed (by
// more than a few minutes) is refused.
func Newest(cands []Candidate, v *sigstore.Verifier, id *sigstore.Identity) (*Record, []string) {
	var best *Record
	var refused []string
	for _, c := range cands {
		r, err := verifyRecord(c, v, id)
		if err != nil {
			refused = append(refused, c.Source+": "+err.Error())
			continue
		}
		if best == nil || r.Statement.Predicate.Created.After(best.Statement.Predicate.Created) {
			best = r
		}
	}
	return best, refused
}

func verifyRecord(c Candidate, v *sigstore.Verifier, id *sigstore.Identity) (*Record, error) {
	payload, err := Payload(c.Bundle)
	if err != nil {
		return nil, err
	}
	if err := ValidateStatement(payload); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotDrill, err)
	}
	var st Statement
	if err := json.Unmarshal(payload, &st); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotDrill, err)
	}
	d := c.Subject
	if d == nil {
		raw, err := hex.DecodeString(st.Subject[0].Digest["sha256"])
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotDrill, err)
		}
		d = &sigstore.Digest{Algorithm: "sha256", Value: raw}
	}
	b, err := sigstore.ParseBundle(c.Bundle)
	if err != nil {
		return nil, err
	}
	res, err := v.VerifyDigest(b, *d, id)
	if err != nil {
		return nil, err
	}
	if !res.SignedAt.IsZero() && st.Predicate.Created.Sub(res.SignedAt) > 5*time.Minute {
		return nil, fmt.Errorf("%w: created %s, after it was signed at %s", ErrNotDrill, st.Predicate.Created.UTC().Format(time.RFC3339), res.SignedAt.UTC().Format(time.RFC3339))
	}
	return &Record{Source: c.Source, Statement: st, Signer: res}, nil
}

// Payload returns a drill record's statement, unverified, after checking
// it is one (in-toto payload type, [PredicateType]).
func Payload(bundle []byte) ([]byte, error) {
	return sigstore.StatementPayload(bundle, PredicateType, ErrNotDrill)
}

// Attached returns the drill records attached to img as OCI referrers
// as candidates about img's digest.
func Attached(ctx context.Context, img ociref.Image, opts ...remote.Option) ([]Candidate, error) {
	all, err := ociref.Bundles(ctx, img, opts...)
	var out []Candidate
	d := sigstore.Digest{Algorithm: "sha256", Value: img.Digest.Bytes()}
	for i, b := range all {
		if _, perr := Payload(b); perr == nil {
			out = append(out, Candidate{Source: fmt.Sprintf("%s referrer %d", img, i+1), Bundle: b, Subject: &d})
		}
	}
	return out, err
}

// Fresh checks the newest record: a finding when there is none, when it
// failed, or when it is older than maxAge at now. path is where the
// findings point (the input that named the records).
func Fresh(r *Record, refused []string, maxAge time.Duration, now time.Time, path string) []finding.Finding {
	add := func(rule, format string, args ...any) []finding.Finding {
		return []finding.Finding{{Rule: rule, Severity: finding.High, Message: fmt.Sprintf(format, args...), Path: path,
			Fingerprint: finding.Fingerprint(rule, path, "")}}
	}
	if r == nil {
		why := ""
		if len(refused) > 0 {
			why = fmt.Sprintf(" (%d refused; the first: %s)", len(refused), refused[0])
		}
		return add(RuleMissing, "no drill record verifies for the expected identity%s", why)
	}
	p := r.Statement.Predicate
	var out []finding.Finding
	if !p.Passed {
		failed := 0
		for _, rel := range p.Releases {
			if !rel.Recovered {
				failed++
			}
		}
		out = append(out, add(RuleFailed, "the newest drill (%s, %s) failed: %d of %d releases not recovered", p.Created.UTC().Format(time.RFC3339), r.Source, failed, len(p.Releases))...)
	}
	if age := now.Sub(p.Created); age > maxAge {
		out = append(out, add(RuleStale, "the newest drill is %s old (%s), more than max-drill-age %s", age.Round(time.Minute), p.Created.UTC().Format(time.RFC3339), maxAge)...)
	}
	return out
}
