package audit

import "strings"

// allowList holds Options.AllowUnpinned, lower-cased: an entry is an owner
// ("actions") or an owner and repository ("actions/checkout").
type allowList struct {
	owners map[string]bool
	repos  map[string]bool
}

func newAllowList(entries []string) allowList {
	a := allowList{owners: map[string]bool{}, repos: map[string]bool{}}
	for _, e := range entries {
		e = strings.ToLower(e)
		if strings.Contains(e, "/") {
			a.repos[e] = true
		} else {
			a.owners[e] = true
		}
	}
	return a
}

// allows reports whether owner (and repo, which may be "") is allowed.
func (a allowList) allows(owner, repo string) bool {
	owner, repo = strings.ToLower(owner), strings.ToLower(repo)
	return a.owners[owner] || (repo != "" && a.repos[owner+"/"+repo])
}

// allowsImage matches an image reference by its path inside its registry:
// the registry host is dropped, a bare Docker Hub name becomes
// "library/<name>", and the first two components are owner and repo.
func (a allowList) allowsImage(ref string) bool {
	p := imagePath(ref)
	switch len(p) {
	case 0:
		return false
	case 1:
		return a.allows(p[0], "")
	}
	return a.allows(p[0], p[1])
}

// imagePath returns the path components of an image reference without its
// registry host, tag and digest.
func imagePath(ref string) []string {
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(ref, "/")
	last := parts[len(parts)-1]
	if i := strings.LastIndexByte(last, ':'); i >= 0 {
		parts[len(parts)-1] = last[:i]
	}
	hub := true
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		switch parts[0] {
		case "docker.io", "index.docker.io", "registry-1.docker.io":
		default:
			hub = false
		}
		parts = parts[1:]
	}
	if hub && len(parts) == 1 {
		parts = []string{"library", parts[0]}
	}
	for _, p := range parts {
		if p == "" {
			return nil
		}
	}
	return parts
}
