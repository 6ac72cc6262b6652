package sarif

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Option adjusts the log Build produces. An option checks its argument when
// Build applies it, and a bad argument makes Build return an error.
type Option func(*config) error

// config collects what the options set.
type config struct {
	category   string // automationDetails.id, already ending in "/"
	sourceRoot string // originalUriBaseIds["%SRCROOT%"].uri
	invocation *invocation
	defaultURI string // artifactLocation.uri for findings without a Path
}

type invocation struct {
	ok         bool
	start, end time.Time
}

// WithCategory sets run.automationDetails.id to "<category>/", which code
// scanning reads as the analysis category (as upload-sarif's "category"
// input does): uploads with different categories do not replace each other's
// alerts. Trailing slashes in category are dropped before the one "/" is
// added. The category must not be empty, contain only slashes, or contain
// whitespace or control characters.
func WithCategory(category string) Option {
	return func(c *config) error {
		trimmed := strings.TrimRight(category, "/")
		if trimmed == "" {
			return fmt.Errorf("sarif: category %q is empty", category)
		}
		if i := strings.IndexFunc(trimmed, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsControl(r)
		}); i >= 0 {
			return fmt.Errorf("sarif: category %q contains whitespace or a control character", category)
		}
		c.category = trimmed + "/"
		return nil
	}
}

// WithSourceRoot sets run.originalUriBaseIds["%SRCROOT%"] to uri, the
// checkout directory the repository-relative result URIs resolve against. It
// must be an absolute file:// URI whose path ends in "/", for example
// "file:///home/runner/work/repo/repo/".
func WithSourceRoot(uri string) Option {
	return func(c *config) error {
		u, err := url.Parse(uri)
		if err != nil {
			return fmt.Errorf("sarif: source root %q: %w", uri, err)
		}
		switch {
		case u.Scheme != "file":
			return fmt.Errorf("sarif: source root %q is not a file:// URI", uri)
		case u.Opaque != "" || !strings.HasPrefix(u.Path, "/"):
			return fmt.Errorf("sarif: source root %q is not an absolute file:// URI", uri)
		case !strings.HasSuffix(u.Path, "/"):
			return fmt.Errorf("sarif: source root %q does not end in /", uri)
		case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
			return fmt.Errorf("sarif: source root %q has a query or fragment", uri)
		case hasDotDot(u.Path):
			return fmt.Errorf("sarif: source root %q contains a .. segment", uri)
		}
		c.sourceRoot = uri
		return nil
	}
}

// WithInvocation records one run.invocations entry: whether the gate ran to
// completion (executionSuccessful; a gate that found problems still ran
// successfully) and when it started and ended, written in UTC. Both times
// must be set and end must not be before start. Without this option the log
// has no invocations, which keeps it byte-for-byte reproducible.
func WithInvocation(ok bool, start, end time.Time) Option {
	return func(c *config) error {
		if start.IsZero() || end.IsZero() {
			return errors.New("sarif: invocation start and end times must both be set")
		}
		if end.Before(start) {
			return fmt.Errorf("sarif: invocation end %s is before start %s",
				end.UTC().Format(time.RFC3339Nano), start.UTC().Format(time.RFC3339Nano))
		}
		c.invocation = &invocation{ok: ok, start: start.UTC(), end: end.UTC()}
		return nil
	}
}

// WithDefaultPath gives every finding that has no Path a location at path
// (a repository-relative file, checked like Finding.Path) without a region,
// instead of no location at all. Code scanning rejects a whole upload in
// which any result has no location, so a gate that reports repository-wide
// findings (a missing policy file, a setting) should name the file the fix
// belongs in, or use this option, typically with the workflow or policy
// file it checked.
func WithDefaultPath(path string) Option {
	return func(c *config) error {
		uri, err := artifactURI(path)
		if err != nil {
			return fmt.Errorf("sarif: default %w", err)
		}
		c.defaultURI = uri
		return nil
	}
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
