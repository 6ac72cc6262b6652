package waiver

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/hubgates/hub/shared/finding"
)

// The kinds of waiver, named as SARIF names a suppression's kind.
const (
	// KindExternal is a waiver written in the configuration file.
	KindExternal = "external"
	// KindInSource is a waiver written as a comment in the scanned file.
	KindInSource = "inSource"
)

// DateLayout is how a waiver's expiry is written: a calendar date.
const DateLayout = "2006-01-02"

// Position is where a waiver is written.
type Position struct {
	Path string // repository-relative, forward slashes
	Line int    // 1-based; 0 when unknown
	Col  int    // 1-based; 0 when unknown
}

// String renders the position as "path:line", or "path" when the line is
// unknown: the form finding.Suppression.Source uses.
func (p Position) String() string {
	if p.Line > 0 {
		return p.Path + ":" + strconv.Itoa(p.Line)
	}
	return p.Path
}

// Waiver accepts the findings it matches until it expires. Every selector
// that is set must match; at least one of Rule, Path and Fingerprint is set
// (an inline waiver always has Rule and Path).
type Waiver struct {
	// Kind is KindExternal or KindInSource.
	Kind string
	// Rule is a rule id, or a pattern in which "*" stands for any run of
	// characters ("py/*", "CVE-2024-*"). Empty matches every rule.
	Rule string
	// Path is a doublestar glob over repository-relative paths
	// (".github/workflows/*.yml", "vendor/**"). Empty matches every path.
	Path string
	// Line, when not 0, is the only line the waiver matches.
	Line int
	// Job, when set, matches only findings inside that workflow job, as
	// the [JobSpan]s given to [Policy.Apply] place them.
	Job string
	// Fingerprint, when set, matches only the finding with that
	// fingerprint (finding.Finding.Fingerprint).
	Fingerprint string
	// Reason is why the finding is accepted; it is mandatory and becomes
	// the SARIF suppression's justification.
	Reason string
	// Expires is the last day the waiver holds, at 00:00 UTC: it waives
	// until the end of that day in UTC and not after.
	Expires time.Time
	// Source is where the waiver is written.
	Source Position
}

// ExpiresOn returns the expiry as "YYYY-MM-DD".
func (w Waiver) ExpiresOn() string { return w.Expires.Format(DateLayout) }

// Describe names the waiver for messages: its selectors, as written.
func (w Waiver) Describe() string {
	var parts []string
	add := func(k, v string) { parts = append(parts, k+" "+strconv.Quote(v)) }
	if w.Rule != "" {
		add("rule", w.Rule)
	}
	if w.Path != "" && w.Kind != KindInSource {
		add("path", w.Path)
	}
	if w.Line > 0 {
		parts = append(parts, "line "+strconv.Itoa(w.Line))
	}
	if w.Job != "" {
		add("job", w.Job)
	}
	if w.Fingerprint != "" {
		add("fingerprint", w.Fingerprint)
	}
	return "waiver (" + strings.Join(parts, ", ") + ")"
}

// suppression is what a finding this waiver waives carries.
func (w Waiver) suppression() *finding.Suppression {
	return &finding.Suppression{
		Kind:          w.Kind,
		Justification: w.Reason,
		Expires:       w.ExpiresOn(),
		Source:        w.Source.String(),
	}
}

// identity is a line-independent key for the waiver's own findings
// (expired-waiver, unused-waiver), so their fingerprints survive edits that
// move the waiver.
func (w Waiver) identity() string {
	return strings.Join([]string{w.Kind, w.Rule, w.Path, strconv.Itoa(w.Line), w.Job, w.Fingerprint, w.ExpiresOn()}, "\x00")
}

// jobIDRe is what GitHub accepts as a job id.
var jobIDRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// checkShape reports the first problem with w's fields, whatever the date:
// what makes a waiver malformed rather than too long.
func checkShape(w Waiver) error {
	switch {
	case w.Kind != KindExternal && w.Kind != KindInSource:
		return fmt.Errorf("%w: kind: expected %q or %q, got %q", ErrBadValue, KindExternal, KindInSource, w.Kind)
	case w.Rule == "" && w.Path == "" && w.Fingerprint == "":
		return fmt.Errorf("%w: a waiver needs at least one of rule, path and fingerprint", ErrMissing)
	case strings.ContainsFunc(w.Rule, unicode.IsSpace):
		return fmt.Errorf("%w: rule %q contains a space", ErrBadValue, w.Rule)
	case w.Path != "" && !doublestar.ValidatePattern(w.Path):
		return fmt.Errorf("%w: path %q is not a valid glob", ErrBadValue, w.Path)
	case w.Path != "" && (strings.HasPrefix(w.Path, "/") || hasBareBackslash(w.Path) || hasDotDot(w.Path)):
		return fmt.Errorf("%w: path %q: want a repository-relative path with forward slashes and no ..", ErrBadValue, w.Path)
	case w.Line < 0:
		return fmt.Errorf("%w: line %d: want 1 or more", ErrBadValue, w.Line)
	case w.Line > 0 && w.Path == "":
		return fmt.Errorf("%w: line %d needs a path", ErrMissing, w.Line)
	case w.Job != "" && !jobIDRe.MatchString(w.Job):
		return fmt.Errorf("%w: job %q is not a job id (letters, digits, _ and -, not starting with a digit or -)", ErrBadValue, w.Job)
	case w.Job != "" && w.Path == "":
		return fmt.Errorf("%w: job %q needs a path (the workflow it is in)", ErrMissing, w.Job)
	case strings.ContainsFunc(w.Fingerprint, unicode.IsSpace):
		return fmt.Errorf("%w: fingerprint %q contains a space", ErrBadValue, w.Fingerprint)
	case strings.TrimSpace(w.Reason) == "":
		return fmt.Errorf("%w: reason: say why the finding is accepted", ErrMissing)
	case w.Expires.IsZero():
		return fmt.Errorf("%w: expires: give the last day the waiver holds, as YYYY-MM-DD", ErrMissing)
	}
	return nil
}

// Matches reports whether w selects f: every selector w sets agrees with f.
// A Job selector needs jobs, the spans of the workflow jobs; with none, it
// matches nothing. Matches ignores expiry and whether f is already
// suppressed: [Policy.Apply] decides those.
func (w Waiver) Matches(f finding.Finding, jobs []JobSpan) bool {
	if w.Rule != "" && !wildcardMatch(w.Rule, f.Rule) {
		return false
	}
	if w.Path != "" {
		if ok, err := doublestar.Match(w.Path, f.Path); err != nil || !ok {
			return false
		}
	}
	if w.Line > 0 && f.Line != w.Line {
		return false
	}
	if w.Fingerprint != "" && w.Fingerprint != f.Fingerprint {
		return false
	}
	if w.Job != "" && !inJob(f, w.Job, jobs) {
		return false
	}
	return true
}

// wildcardMatch reports whether s matches pattern, in which "*" stands for
// any run of characters (slashes included) and every other character for
// itself.
func wildcardMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}

// escapeGlob quotes the doublestar metacharacters in a literal path, so an
// inline waiver's own file is matched exactly even when its name holds
// "[" or "*".
func escapeGlob(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(globMeta, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// globMeta are the characters doublestar gives a meaning; a backslash
// before one of them makes it literal.
const globMeta = `*?[]{}\`

// hasBareBackslash reports whether p has a backslash that escapes no glob
// metacharacter: a Windows path separator, which would silently match
// something else.
func hasBareBackslash(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' {
			if i+1 == len(p) || !strings.ContainsRune(globMeta, rune(p[i+1])) {
				return true
			}
			i++
		}
	}
	return false
}

// hasDotDot reports whether the slash-separated path p has a ".." segment.
func hasDotDot(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if seg == ".." {
			return true
		}
	}
	return false
}
