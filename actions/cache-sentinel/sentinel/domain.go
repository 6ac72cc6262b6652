package sentinel

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Domain is a trust domain: how far the code and input of a workflow run
// can be trusted, decided from the event that started it. Caches are keyed
// and accepted by domain, so a less trusted run can never feed a more
// trusted one.
type Domain string

// The trust domains, most trusted first.
const (
	// DomainProtected is a run on a protected ref (by default the
	// repository's default branch) started by the repository itself: a
	// push, a schedule, a manual dispatch, a release.
	DomainProtected Domain = "protected"
	// DomainInternal is a run of code written by someone with write access
	// but not yet reviewed into a protected ref: a pull request from a
	// branch of this repository, a push to an unprotected branch, a merge
	// queue.
	DomainInternal Domain = "internal"
	// DomainExternal is a run whose code or input comes from outside: a
	// pull request from a fork (pull_request and pull_request_target), a
	// workflow_run of a fork's run, and events anyone can raise (issues,
	// comments, discussions, forks, stars).
	DomainExternal Domain = "external"
)

// Domains lists the trust domains, most trusted first.
func Domains() []Domain { return []Domain{DomainProtected, DomainInternal, DomainExternal} }

func (d Domain) rank() int {
	switch d {
	case DomainProtected:
		return 3
	case DomainInternal:
		return 2
	case DomainExternal:
		return 1
	}
	return 0
}

// Accepts reports whether a run in domain d may use a cache sealed in
// domain sealed: only when sealed is at least as trusted as d.
func (d Domain) Accepts(sealed Domain) bool {
	return d.rank() > 0 && sealed.rank() >= d.rank()
}

// ErrUnknownDomain is wrapped by [ParseDomain] errors.
var ErrUnknownDomain = errors.New("unknown trust domain")

// ParseDomain returns the domain named s.
func ParseDomain(s string) (Domain, error) {
	d := Domain(s)
	if d.rank() == 0 {
		return "", fmt.Errorf("%w: expected one of protected, internal, external, got %q", ErrUnknownDomain, s)
	}
	return d, nil
}

// Event is what the runner says about the event that started a run.
type Event struct {
	Name       string // GITHUB_EVENT_NAME
	Ref        string // GITHUB_REF
	Repository string // GITHUB_REPOSITORY, owner/name
	// Payload is the webhook payload (the file at GITHUB_EVENT_PATH); nil
	// when there is none.
	Payload []byte
}

// payload holds the few fields of a webhook payload Classify reads.
type payload struct {
	Repository struct {
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
	PullRequest *struct {
		Head struct {
			Repo *struct {
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"head"`
	} `json:"pull_request"`
	WorkflowRun *struct {
		Event          string `json:"event"`
		HeadBranch     string `json:"head_branch"`
		HeadRepository *struct {
			FullName string `json:"full_name"`
		} `json:"head_repository"`
	} `json:"workflow_run"`
}

// externalEvents can be raised by anyone who can see the repository; their
// payloads (titles, bodies, comments) are attacker-controlled even though
// the workflow code is the default branch's.
var externalEvents = map[string]bool{
	"issue_comment": true, "issues": true, "discussion": true, "discussion_comment": true,
	"fork": true, "watch": true, "gollum": true,
}

// pullRequestEvents carry a pull_request whose head repository decides the
// domain.
var pullRequestEvents = map[string]bool{
	"pull_request": true, "pull_request_target": true,
	"pull_request_review": true, "pull_request_review_comment": true,
}

// Classification is a run's trust domain and why.
type Classification struct {
	Domain Domain
	// Why is one sentence for the summary: "pull_request from fork
	// attacker/fixture".
	Why string
	// ProtectedRefs are the patterns the ref was matched against (the
	// default branch when none were given).
	ProtectedRefs []string
}

// Classify decides the trust domain of a run. protected lists the ref
// patterns that count as protected ("refs/heads/main", "refs/tags/v*";
// "*" matches within one path segment); empty means the default branch
// named by the payload, or refs/heads/main without one.
func Classify(ev Event, protected []string) (Classification, error) {
	var p payload
	if len(ev.Payload) > 0 {
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			return Classification{}, fmt.Errorf("reading the event payload: %w", err)
		}
	}
	if len(protected) == 0 {
		branch := p.Repository.DefaultBranch
		if branch == "" {
			branch = "main"
		}
		protected = []string{"refs/heads/" + branch}
	}
	for _, pat := range protected {
		if err := checkRefPattern(pat); err != nil {
			return Classification{}, err
		}
	}
	c := Classification{ProtectedRefs: protected}
	byRef := func(ref, what string) {
		if matchRef(protected, ref) {
			c.Domain, c.Why = DomainProtected, fmt.Sprintf("%s on protected ref %s", what, ref)
			return
		}
		if ref == "" {
			ref = "no ref"
		}
		c.Domain, c.Why = DomainInternal, fmt.Sprintf("%s on %s, not a protected ref", what, ref)
	}
	event := ev.Name
	if event == "" {
		event = "a run outside GitHub Actions"
	}
	switch {
	case pullRequestEvents[ev.Name]:
		head := ""
		if p.PullRequest != nil && p.PullRequest.Head.Repo != nil {
			head = p.PullRequest.Head.Repo.FullName
		}
		switch {
		case head == "":
			c.Domain, c.Why = DomainExternal, ev.Name+" whose head repository is unknown (deleted fork or no payload)"
		case !strings.EqualFold(head, ev.Repository):
			c.Domain, c.Why = DomainExternal, fmt.Sprintf("%s from fork %s", ev.Name, head)
		default:
			c.Domain, c.Why = DomainInternal, fmt.Sprintf("%s from a branch of %s", ev.Name, ev.Repository)
		}
	case ev.Name == "workflow_run":
		wr := p.WorkflowRun
		switch {
		case wr == nil || wr.HeadRepository == nil:
			c.Domain, c.Why = DomainExternal, "workflow_run whose triggering run is unknown"
		case !strings.EqualFold(wr.HeadRepository.FullName, ev.Repository):
			c.Domain, c.Why = DomainExternal, fmt.Sprintf("workflow_run of a run from fork %s", wr.HeadRepository.FullName)
		case pullRequestEvents[wr.Event]:
			c.Domain, c.Why = DomainInternal, fmt.Sprintf("workflow_run of a %s run from a branch of %s", wr.Event, ev.Repository)
		default:
			byRef("refs/heads/"+wr.HeadBranch, "workflow_run of a "+wr.Event+" run")
		}
	case externalEvents[ev.Name]:
		c.Domain, c.Why = DomainExternal, ev.Name+", an event anyone can raise"
	default:
		byRef(ev.Ref, event)
	}
	return c, nil
}

// ErrBadRefPattern is wrapped when a protected ref pattern is unusable.
var ErrBadRefPattern = errors.New("bad protected ref pattern")

func checkRefPattern(pat string) error {
	if !strings.HasPrefix(pat, "refs/") || strings.ContainsAny(pat, "[]\\?") {
		return fmt.Errorf("%w: expected a full ref such as refs/heads/main, where * matches within one segment, got %q", ErrBadRefPattern, pat)
	}
	if _, err := path.Match(pat, ""); err != nil {
		return fmt.Errorf("%w: %v, got %q", ErrBadRefPattern, err, pat)
	}
	return nil
}

func matchRef(patterns []string, ref string) bool {
	if ref == "" {
		return false
	}
	for _, pat := range patterns {
		if ok, _ := path.Match(pat, ref); ok {
			return true
		}
	}
	return false
}

// refRegexp turns a checked ref pattern into a regular expression body.
func refRegexp(pat string) string {
	return strings.ReplaceAll(regexp.QuoteMeta(pat), `\*`, `[^/]*`)
}

// DefaultIdentity is the certificate identity (a regular expression on the
// certificate's URI SAN) that keyless manifests must carry when no identity
// is given: a workflow file of this repository, run on one of refs. GitHub's
// OIDC token names the workflow as
// "<server>/<owner>/<repo>/.github/workflows/<file>@<ref>", which Fulcio
// copies into the certificate.
func DefaultIdentity(serverURL, repository string, refs []string) string {
	alts := make([]string, len(refs))
	for i, r := range refs {
		alts[i] = refRegexp(r)
	}
	return "^" + regexp.QuoteMeta(strings.TrimSuffix(serverURL, "/")+"/"+repository+"/.github/workflows/") +
		"[^/@]+@(" + strings.Join(alts, "|") + ")$"
}

// KeyPrefix is the cache key prefix of a domain. Version 1 of the scheme:
// "sentinel-v1-<domain>-".
func KeyPrefix(d Domain) string { return "sentinel-v1-" + string(d) + "-" }

// ErrBadKey is wrapped when a cache key cannot be used with actions/cache.
var ErrBadKey = errors.New("bad cache key")

// maxKeyLen is actions/cache's limit on a key's length.
const maxKeyLen = 512

// CheckKey refuses a key (or restore-key prefix) actions/cache would
// refuse once prefixed: empty, with a comma, or too long.
func CheckKey(k string) error {
	switch {
	case k == "":
		return fmt.Errorf("%w: empty", ErrBadKey)
	case strings.Contains(k, ","):
		return fmt.Errorf("%w: actions/cache refuses commas, got %q", ErrBadKey, k)
	case len(KeyPrefix(DomainProtected))+len(k) > maxKeyLen:
		return fmt.Errorf("%w: longer than %d characters with its prefix, got %d", ErrBadKey, maxKeyLen, len(k))
	}
	return nil
}

// Keys computes the actions/cache key and restore keys of a run in domain
// d: the key carries d's prefix; the restore keys try the exact key in each
// more trusted domain (nearest first), then each of restore's prefixes in
// d and in each more trusted domain. A run never restores a key of a less
// trusted domain, and never writes one of a more trusted domain.
func Keys(d Domain, key string, restore []string) (string, []string, error) {
	if err := CheckKey(key); err != nil {
		return "", nil, err
	}
	var trusted []Domain // d, then the more trusted domains, nearest first
	for i := len(Domains()) - 1; i >= 0; i-- {
		if x := Domains()[i]; x.rank() >= d.rank() {
			trusted = append(trusted, x)
		}
	}
	var out []string
	for _, x := range trusted[1:] {
		out = append(out, KeyPrefix(x)+key)
	}
	for _, r := range restore {
		if err := CheckKey(r); err != nil {
			return "", nil, err
		}
		for _, x := range trusted {
			out = append(out, KeyPrefix(x)+r)
		}
	}
	return KeyPrefix(d) + key, out, nil
}
