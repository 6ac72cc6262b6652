package orgguard

import (
	"fmt"
	"regexp"
	"strings"
)

// Scope is what org-guard looks at: an organization, or one repository.
type Scope struct {
	Org         string // set for an organization
	Owner, Repo string // set for a repository
}

var (
	loginRe = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)
	repoRe  = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
)

// ParseOrg checks an organization login.
func ParseOrg(s string) (Scope, error) {
	if !loginRe.MatchString(s) {
		return Scope{}, fmt.Errorf("expected an organization login (letters, digits and dashes), got %q", s)
	}
	return Scope{Org: s}, nil
}

// ParseRepo checks an owner/repo name.
func ParseRepo(s string) (Scope, error) {
	owner, repo, ok := strings.Cut(s, "/")
	if !ok || !loginRe.MatchString(owner) || !repoRe.MatchString(repo) || repo == "." || repo == ".." {
		return Scope{}, fmt.Errorf("expected owner/repo, got %q", s)
	}
	return Scope{Owner: owner, Repo: repo}, nil
}

// IsOrg reports whether s is an organization.
func (s Scope) IsOrg() bool { return s.Org != "" }

// String names the scope as messages do.
func (s Scope) String() string {
	if s.IsOrg() {
		return "organization " + s.Org
	}
	return "repository " + s.Owner + "/" + s.Repo
}

// base is the API path of the scope, without a leading slash.
func (s Scope) base() string {
	if s.IsOrg() {
		return "orgs/" + s.Org
	}
	return "repos/" + s.Owner + "/" + s.Repo
}

// needs names the permission the scope's settings endpoints take, for
// reading or for writing.
func (s Scope) needs(write bool) string {
	level := "read"
	if write {
		level = "write"
	}
	if s.IsOrg() {
		return fmt.Sprintf("the \"Administration\" organization permission (%s) as a GitHub App or fine-grained token, or the admin:org scope of a classic token, held by an organization owner", level)
	}
	return fmt.Sprintf("the \"Administration\" repository permission (%s) as a GitHub App or fine-grained token, or the repo scope of a classic token, held by a repository admin", level)
}
