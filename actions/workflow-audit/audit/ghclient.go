package audit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v75/github"
	// The image is FROM scratch: the online rules' HTTPS calls to the
	// GitHub API need CA roots of their own.
	_ "golang.org/x/crypto/x509roots/fallback"
)

// ghClient answers the online rules' questions through the GitHub REST API
// (go-github), caching every answer for the run: a repository named by
// twenty workflows is fetched once. Transient failures (5xx, secondary
// rate limits, timeouts of one request) are retried with backoff and
// jitter a bounded number of times; a primary rate limit is not waited
// for. Every method is safe for concurrent use.
type ghClient struct {
	gh *github.Client

	mu    sync.Mutex
	cache map[string]*ghAnswer
	// calls counts API requests made, for the summary and tests.
	calls int
}

// ghAnswer is one cached answer: a value or the error that ended it.
type ghAnswer struct {
	done chan struct{}
	val  any
	err  error
}

// errNotFound is returned when the API answers 404 (or 422 for a commit
// that does not exist).
var errNotFound = errors.New("not found")

// maxAttempts bounds the tries of one request.
const maxAttempts = 3

// newGHClient returns a client for the API at apiURL ("" means
// https://api.github.com/) that authenticates with token.
func newGHClient(token, apiURL string, hc *http.Client) (*ghClient, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	gh := github.NewClient(hc).WithAuthToken(token)
	if apiURL != "" {
		u, err := url.Parse(strings.TrimSuffix(apiURL, "/") + "/")
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("%w %q: want an http(s) URL such as https://api.github.com", errBadAPIURL, apiURL)
		}
		gh.BaseURL = u
	}
	return &ghClient{gh: gh, cache: map[string]*ghAnswer{}}, nil
}

var errBadAPIURL = errors.New("invalid GitHub API URL")

// cached runs fetch once per key for the client's lifetime; concurrent
// callers of the same key wait for the first.
func (c *ghClient) cached(ctx context.Context, key string, fetch func(context.Context) (any, error)) (any, error) {
	c.mu.Lock()
	if a, ok := c.cache[key]; ok {
		c.mu.Unlock()
		select {
		case <-a.done:
			return a.val, a.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	a := &ghAnswer{done: make(chan struct{})}
	c.cache[key] = a
	c.mu.Unlock()
	a.val, a.err = c.retry(ctx, fetch)
	close(a.done)
	return a.val, a.err
}

// retry calls fetch until it succeeds, fails for good, or maxAttempts.
func (c *ghClient) retry(ctx context.Context, fetch func(context.Context) (any, error)) (any, error) {
	var err error
	for attempt := range maxAttempts {
		if attempt > 0 {
			d := time.Duration(250<<attempt)*time.Millisecond + time.Duration(rand.Int64N(int64(200*time.Millisecond)))
			var ar *github.AbuseRateLimitError
			if errors.As(err, &ar) && ar.RetryAfter != nil && *ar.RetryAfter < 10*time.Second {
				d = *ar.RetryAfter
			}
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		c.mu.Lock()
		c.calls++
		c.mu.Unlock()
		var v any
		v, err = fetch(ctx)
		if err == nil || !transient(err) {
			return v, classify(err)
		}
	}
	return nil, classify(err)
}

// transient reports errors worth another try: server errors, secondary
// rate limits and a request that timed out on its own.
func transient(err error) bool {
	var ar *github.AbuseRateLimitError
	if errors.As(err, &ar) {
		return true
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		return false // the primary limit resets in up to an hour
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode >= 500
	}
	var ue *url.Error
	return errors.As(err, &ue) && ue.Timeout()
}

// classify turns 404 and 422 answers into errNotFound.
func classify(err error) error {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && (er.Response.StatusCode == http.StatusNotFound || er.Response.StatusCode == http.StatusUnprocessableEntity) {
		return errNotFound
	}
	return err
}

// repoInfo is what the rules read of a repository.
type repoInfo struct {
	fullName      string
	archived      bool
	defaultBranch string
}

func (c *ghClient) repo(ctx context.Context, owner, repo string) (repoInfo, error) {
	v, err := c.cached(ctx, "repo:"+owner+"/"+repo, func(ctx context.Context) (any, error) {
		r, _, err := c.gh.Repositories.Get(ctx, owner, repo)
		if err != nil {
			return nil, err
		}
		return repoInfo{fullName: r.GetFullName(), archived: r.GetArchived(), defaultBranch: r.GetDefaultBranch()}, nil
	})
	if err != nil {
		return repoInfo{}, err
	}
	return v.(repoInfo), nil
}

// maxListPages bounds the pages of tags or branches read (100 a page).
const maxListPages = 10

// refTips maps ref names to the commit they point at (tags peeled).
type refTips map[string]string

// tags returns the repository's tags and the commits they point at.
func (c *ghClient) tags(ctx context.Context, owner, repo string) (refTips, error) {
	v, err := c.cached(ctx, "tags:"+owner+"/"+repo, func(ctx context.Context) (any, error) {
		out := refTips{}
		opts := &github.ListOptions{PerPage: 100}
		for page := 0; page < maxListPages; page++ {
			ts, resp, err := c.gh.Repositories.ListTags(ctx, owner, repo, opts)
			if err != nil {
				return nil, err
			}
			for _, t := range ts {
				out[t.GetName()] = t.GetCommit().GetSHA()
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(refTips), nil
}

// branches returns the repository's branches and their head commits.
func (c *ghClient) branches(ctx context.Context, owner, repo string) (refTips, error) {
	v, err := c.cached(ctx, "branches:"+owner+"/"+repo, func(ctx context.Context) (any, error) {
		out := refTips{}
		opts := &github.BranchListOptions{ListOptions: github.ListOptions{PerPage: 100}}
		for page := 0; page < maxListPages; page++ {
			bs, resp, err := c.gh.Repositories.ListBranches(ctx, owner, repo, opts)
			if err != nil {
				return nil, err
			}
			for _, b := range bs {
				out[b.GetName()] = b.GetCommit().GetSHA()
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(refTips), nil
}

// tagCommit returns the commit tag names, peeling an annotated tag, or
// errNotFound. The tag list answers first; a tag beyond its pages is
// looked up by name.
func (c *ghClient) tagCommit(ctx context.Context, owner, repo, tag string) (string, error) {
	if ts, err := c.tags(ctx, owner, repo); err == nil {
		if sha, ok := ts[tag]; ok {
			return sha, nil
		}
		if len(ts) < maxListPages*100 {
			return "", errNotFound
		}
	} else if !errors.Is(err, errNotFound) {
		return "", err
	}
	v, err := c.cached(ctx, "tagref:"+owner+"/"+repo+"@"+tag, func(ctx context.Context) (any, error) {
		ref, _, err := c.gh.Git.GetRef(ctx, owner, repo, "tags/"+tag)
		if err != nil {
			return nil, err
		}
		obj := ref.GetObject()
		if obj.GetType() == "tag" {
			t, _, err := c.gh.Git.GetTag(ctx, owner, repo, obj.GetSHA())
			if err != nil {
				return nil, err
			}
			return t.GetObject().GetSHA(), nil
		}
		return obj.GetSHA(), nil
	})
	if err != nil {
		return "", err
	}
	return v.(string), nil
}

// contains reports whether commit sha is in the history of ref (a branch
// or tag of owner/repo): the comparison ref...sha is "identical" or
// "behind".
func (c *ghClient) contains(ctx context.Context, owner, repo, ref, sha string) (bool, error) {
	v, err := c.cached(ctx, "compare:"+owner+"/"+repo+":"+ref+"..."+sha, func(ctx context.Context) (any, error) {
		cmp, _, err := c.gh.Repositories.CompareCommits(ctx, owner, repo, ref, sha, &github.ListOptions{PerPage: 1})
		if err != nil {
			return nil, err
		}
		s := cmp.GetStatus()
		return s == "identical" || s == "behind", nil
	})
	if err != nil {
		return false, err
	}
	return v.(bool), nil
}

// ghAdvisory is one GitHub advisory about an action, reduced to what the
// known-vulnerable-actions rule reads.
type ghAdvisory struct {
	id, cve, summary, severity, url string
	ranges                          []advisoryRange
}

type advisoryRange struct {
	pkg     string // owner/repo[/path], lower case
	vrange  string // e.g. "< 4.0.1", ">= 1.0, < 2.3"
	patched string
}

// advisories returns the reviewed advisories of the "actions" ecosystem
// that affect owner/repo.
func (c *ghClient) advisories(ctx context.Context, owner, repo string) ([]ghAdvisory, error) {
	name := strings.ToLower(owner + "/" + repo)
	v, err := c.cached(ctx, "advisories:"+name, func(ctx context.Context) (any, error) {
		var out []ghAdvisory
		opts := &github.ListGlobalSecurityAdvisoriesOptions{
			Ecosystem:         github.Ptr("actions"),
			Affects:           github.Ptr(name),
			ListCursorOptions: github.ListCursorOptions{PerPage: 100},
		}
		for page := 0; page < maxListPages; page++ {
			as, resp, err := c.gh.SecurityAdvisories.ListGlobalSecurityAdvisories(ctx, opts)
			if err != nil {
				return nil, err
			}
			for _, a := range as {
				if a.WithdrawnAt != nil {
					continue
				}
				adv := ghAdvisory{id: a.GetGHSAID(), cve: a.GetCVEID(), summary: a.GetSummary(), severity: a.GetSeverity(), url: a.GetHTMLURL()}
				for _, vuln := range a.Vulnerabilities {
					if vuln == nil || vuln.Package == nil || !strings.EqualFold(vuln.Package.GetEcosystem(), "actions") {
						continue
					}
					adv.ranges = append(adv.ranges, advisoryRange{pkg: strings.ToLower(vuln.Package.GetName()), vrange: vuln.GetVulnerableVersionRange(), patched: vuln.GetFirstPatchedVersion()})
				}
				out = append(out, adv)
			}
			if resp.After == "" {
				break
			}
			opts.After = resp.After
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]ghAdvisory), nil
}
