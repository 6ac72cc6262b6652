package audit

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// advisoriesJSON is the dated list of compromised actions the
// known-compromised rule checks. It is data, reviewed like code: each
// entry says only what its references state.
//
//go:embed advisories.json
var advisoriesJSON []byte

// advisoryDB is advisories.json.
type advisoryDB struct {
	Schema     int        `json:"schema"`
	Generated  string     `json:"generated"`
	Updated    string     `json:"updated"`
	About      string     `json:"about"`
	Advisories []advisory `json:"advisories"`
}

// advisory is one compromised action.
type advisory struct {
	ID        string   `json:"id"`      // CVE-... or GHSA-...
	Aliases   []string `json:"aliases"` // the other identifiers
	Action    string   `json:"action"`  // owner/repo
	Published string   `json:"published"`
	// Window is when the compromised code was served, as the references
	// give it.
	Window  string `json:"window"`
	Summary string `json:"summary"`
	// Commits are the malicious commits, each with the tag that pointed
	// to it when a reference says so.
	Commits []compromisedCommit `json:"commits"`
	// Tags and TagRanges are the refs the attacker moved.
	Tags      []string   `json:"tags"`
	TagRanges []tagRange `json:"tagRanges"`
	// Fixed names the release the advisory calls safe, if it names one.
	Fixed string `json:"fixed"`
	// Dependents are actions that loaded the compromised one by a moving
	// ref, so they ran it during the window whatever their own pin.
	Dependents []string `json:"dependents"`
	References []string `json:"references"`
}

type compromisedCommit struct {
	SHA string `json:"sha"`
	Tag string `json:"tag"`
}

// tagRange is an inclusive range of version tags with one prefix: "v"
// for v1 ... v45.0.7, "" for 0.0.1 ... 0.34.2 (a "v0.1.0" tag is then not
// in the range). A tag with fewer components than three is compared with
// the missing ones as 0, so the moving major tag "v45" is in 1 ... 45.0.7.
type tagRange struct {
	Prefix string `json:"prefix"`
	First  string `json:"first"`
	Last   string `json:"last"`
}

var (
	dateRe     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	advIDRe    = regexp.MustCompile(`^(CVE-\d{4}-\d{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3})$`)
	repoNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*/[a-z0-9._-]+$`)
)

// errAdvisories is wrapped by every error loadAdvisories returns.
var errAdvisories = errors.New("invalid advisories.json")

// loadAdvisories decodes and checks an advisory list: known fields only,
// dates as YYYY-MM-DD, identifiers, lower-case owner/repo names, full
// lower-case commit SHAs, well-formed version ranges, https references,
// and at least one commit, tag or range per entry.
func loadAdvisories(b []byte) (*advisoryDB, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var db advisoryDB
	if err := dec.Decode(&db); err != nil {
		return nil, fmt.Errorf("%w: %w", errAdvisories, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the top-level object", errAdvisories)
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{errAdvisories}, args...)...))
	}
	if db.Schema != 1 {
		bad("schema: expected %q, got %q", "1", strconv.Itoa(db.Schema))
	}
	for _, d := range []struct{ name, v string }{{"generated", db.Generated}, {"updated", db.Updated}} {
		if !validDate(d.v) {
			bad("%s: expected a YYYY-MM-DD date, got %q", d.name, d.v)
		}
	}
	if len(db.Advisories) == 0 {
		bad("no advisories")
	}
	for i, a := range db.Advisories {
		at := fmt.Sprintf("advisories[%d] (%s %s)", i, a.ID, a.Action)
		for _, id := range append([]string{a.ID}, a.Aliases...) {
			if !advIDRe.MatchString(id) {
				bad("%s: identifier %q is neither CVE-YYYY-NNNN nor GHSA-xxxx-xxxx-xxxx", at, id)
			}
		}
		for _, r := range append([]string{a.Action}, a.Dependents...) {
			if !repoNameRe.MatchString(r) {
				bad("%s: %q is not a lower-case owner/repo", at, r)
			}
		}
		if !validDate(a.Published) {
			bad("%s: published: expected a YYYY-MM-DD date, got %q", at, a.Published)
		}
		if a.Summary == "" || a.Window == "" {
			bad("%s: summary and window are required", at)
		}
		if len(a.Commits)+len(a.Tags)+len(a.TagRanges) == 0 {
			bad("%s: lists no commit, tag or tag range", at)
		}
		for _, c := range a.Commits {
			if !fullSHARe.MatchString(c.SHA) {
				bad("%s: commit %q is not a full lower-case SHA", at, c.SHA)
			}
		}
		for _, t := range a.Tags {
			if t == "" || strings.ContainsAny(t, " \t@") {
				bad("%s: tag %q is malformed", at, t)
			}
		}
		for _, r := range a.TagRanges {
			first, ok1 := parseVersion(r.First)
			last, ok2 := parseVersion(r.Last)
			if !ok1 || !ok2 || compareVersions(first, last) > 0 {
				bad("%s: tag range %q to %q is not an ordered pair of versions", at, r.First, r.Last)
			}
		}
		if len(a.References) == 0 {
			bad("%s: has no reference", at)
		}
		for _, ref := range a.References {
			if u, err := url.Parse(ref); err != nil || u.Scheme != "https" || u.Host == "" {
				bad("%s: reference %q is not an https URL", at, ref)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &db, nil
}

func validDate(s string) bool {
	if !dateRe.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// advisories is the embedded list. A broken file fails every test of the
// package (TestAdvisoriesFile), so it cannot ship.
var advisories = func() *advisoryDB {
	db, err := loadAdvisories(advisoriesJSON)
	if err != nil {
		panic(err)
	}
	return db
}()

// parseVersion parses "1", "45.0" or "45.0.7" into three numbers.
func parseVersion(s string) ([3]int, bool) {
	var v [3]int
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 3 {
		return v, false
	}
	for i, p := range parts {
		if p == "" || strings.TrimLeft(p, "0123456789") != "" || len(p) > 9 {
			return v, false
		}
		v[i], _ = strconv.Atoi(p)
	}
	return v, true
}

func compareVersions(a, b [3]int) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// contains reports whether tag is in the range.
func (r tagRange) contains(tag string) bool {
	if len(tag) < len(r.Prefix) || !strings.EqualFold(tag[:len(r.Prefix)], r.Prefix) {
		return false
	}
	v, ok := parseVersion(tag[len(r.Prefix):])
	if !ok {
		return false
	}
	first, _ := parseVersion(r.First)
	last, _ := parseVersion(r.Last)
	return compareVersions(first, v) <= 0 && compareVersions(v, last) <= 0
}

// advisoryMatch says how a reference matched an advisory.
type advisoryMatch struct {
	adv *advisory
	// commit is set when the ref is a known malicious commit; tag when it
	// is a moved tag; dependent when the action only loaded the
	// compromised one.
	commit    *compromisedCommit
	tag       string
	dependent bool
}

// lookup returns the advisories a reference matches: its commit, its tag,
// or its action being a dependent of a compromised one.
func (db *advisoryDB) lookup(a actionRef) []advisoryMatch {
	repo := a.repository()
	ref := a.ref
	var out []advisoryMatch
	for i := range db.Advisories {
		adv := &db.Advisories[i]
		if repo == adv.Action {
			if m, ok := adv.matchRef(ref); ok {
				out = append(out, m)
			}
			continue
		}
		for _, d := range adv.Dependents {
			if repo == d {
				out = append(out, advisoryMatch{adv: adv, dependent: true})
			}
		}
	}
	return out
}

func (adv *advisory) matchRef(ref string) (advisoryMatch, bool) {
	if upperSHARe.MatchString(ref) {
		sha := strings.ToLower(ref)
		for k := range adv.Commits {
			if adv.Commits[k].SHA == sha {
				return advisoryMatch{adv: adv, commit: &adv.Commits[k]}, true
			}
		}
		return advisoryMatch{}, false
	}
	for _, t := range adv.Tags {
		if t == ref {
			return advisoryMatch{adv: adv, tag: ref}, true
		}
	}
	for _, r := range adv.TagRanges {
		if r.contains(ref) {
			return advisoryMatch{adv: adv, tag: ref}, true
		}
	}
	return advisoryMatch{}, false
}

// ids returns "CVE-..., GHSA-...".
func (adv *advisory) ids() string {
	return strings.Join(append([]string{adv.ID}, adv.Aliases...), ", ")
}
