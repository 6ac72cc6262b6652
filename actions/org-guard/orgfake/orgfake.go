package orgfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// State is what the fake serves. Paths have no leading slash:
// "orgs/acme/actions/permissions".
type State struct {
	// Settings are settings resources by path, answered as they are to a
	// GET and changed by PUT (replace the fields given) and PATCH (merge).
	Settings map[string]map[string]any `json:"settings"`
	// Rulesets are the rulesets by the path of their owner ("orgs/acme",
	// "repos/acme/app"), in full.
	Rulesets map[string][]map[string]any `json:"rulesets"`
	// Deny answers the status (403 or 404) to any request whose path
	// starts with the key.
	Deny map[string]int `json:"deny"`
	// DenyWrite answers the status to writes whose path starts with the key.
	DenyWrite map[string]int `json:"deny_write"`
	// SecondaryLimit answers a secondary rate limit to the first n requests
	// whose path starts with the key (403 with GitHub's documentation link
	// and Retry-After: 0; 429 when the key is prefixed "429:").
	SecondaryLimit map[string]int `json:"secondary_limit"`
	// IgnoreWrites accepts writes to paths starting with these and keeps
	// nothing, as a policy set above the organization would.
	IgnoreWrites []string `json:"ignore_writes"`
	// PageSize caps list pages (0: as per_page asks).
	PageSize int `json:"page_size"`
	// RateLimited answers every request 403 with X-RateLimit-Remaining: 0,
	// a spent primary rate limit.
	RateLimited bool `json:"rate_limited"`
}

// Server is a running fake.
type Server struct {
	*httptest.Server
	// Token is the bearer token it accepts.
	Token string

	mu    sync.Mutex
	st    State
	log   []string
	count map[string]int
	next  int64
}

// New starts a fake serving st with token.
func New(token string, st State) *Server {
	s := &Server{Token: token, st: st, count: map[string]int{}, next: 1000}
	if s.st.Settings == nil {
		s.st.Settings = map[string]map[string]any{}
	}
	if s.st.Rulesets == nil {
		s.st.Rulesets = map[string][]map[string]any{}
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Requests lists "METHOD /path?query" of every request served, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// Setting returns a copy of the stored settings resource at path.
func (s *Server) Setting(path string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return clone(s.st.Settings[path])
}

// RulesetsOf returns a copy of the rulesets of owner ("orgs/acme").
func (s *Server) RulesetsOf(owner string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, r := range s.st.Rulesets[owner] {
		out = append(out, clone(r))
	}
	return out
}

func clone(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.TrimPrefix(r.URL.Path, "/")
	s.log = append(s.log, strings.TrimSuffix(r.Method+" /"+path+"?"+r.URL.RawQuery, "?"))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeError(w, http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
		return
	}
	if s.st.RateLimited {
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "1796428800")
		writeError(w, http.StatusForbidden, "API rate limit exceeded for installation ID 4242.", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
		return
	}
	for prefix, n := range s.st.SecondaryLimit {
		code, p := http.StatusForbidden, prefix
		if rest, ok := strings.CutPrefix(prefix, "429:"); ok {
			code, p = http.StatusTooManyRequests, rest
		}
		if strings.HasPrefix(path, p) && s.count[prefix] < n {
			s.count[prefix]++
			w.Header().Set("Retry-After", "0")
			writeError(w, code, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
				"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits")
			return
		}
	}
	if code := match(s.st.Deny, path); code != 0 {
		writeDenied(w, code)
		return
	}
	write := r.Method != http.MethodGet
	if code := match(s.st.DenyWrite, path); write && code != 0 {
		writeDenied(w, code)
		return
	}
	var body map[string]any
	if write && r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		if len(b) > 0 {
			if err := json.Unmarshal(b, &body); err != nil {
				writeError(w, http.StatusBadRequest, "Problems parsing JSON", "https://docs.github.com/rest")
				return
			}
		}
	}
	ignore := write && slices.ContainsFunc(s.st.IgnoreWrites, func(p string) bool { return strings.HasPrefix(path, p) })
	switch {
	case strings.HasSuffix(path, "/rulesets") || strings.Contains(path, "/rulesets/"):
		s.rulesets(w, r, path, body, ignore)
	case strings.HasSuffix(path, "/actions/permissions/selected-actions"):
		perms := s.st.Settings[strings.TrimSuffix(path, "/selected-actions")]
		if perms == nil || perms["allowed_actions"] != "selected" {
			writeError(w, http.StatusConflict, "Conflict", "https://docs.github.com/rest/actions/permissions")
			return
		}
		s.setting(w, r, path, body, ignore)
	case strings.HasPrefix(path, "repos/") && strings.HasSuffix(path, "/immutable-releases"):
		s.repoImmutable(w, r, path, ignore)
	default:
		s.setting(w, r, path, body, ignore)
	}
}

func match(m map[string]int, path string) int {
	best, code := -1, 0
	for prefix, c := range m {
		if strings.HasPrefix(path, prefix) && len(prefix) > best {
			best, code = len(prefix), c
		}
	}
	return code
}

func writeError(w http.ResponseWriter, code int, msg, doc string) {
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg, "documentation_url": doc, "status": strconv.Itoa(code)})
}

func writeDenied(w http.ResponseWriter, code int) {
	if code == http.StatusNotFound {
		writeError(w, code, "Not Found", "https://docs.github.com/rest")
		return
	}
	writeError(w, code, "Resource not accessible by integration", "https://docs.github.com/rest")
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// setting serves a settings resource: GET answers it, PUT sets the fields
// given (204), PATCH merges them and answers the resource (200).
func (s *Server) setting(w http.ResponseWriter, r *http.Request, path string, body map[string]any, ignore bool) {
	cur, ok := s.st.Settings[path]
	if !ok {
		writeDenied(w, http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, cur)
	case http.MethodPut, http.MethodPatch:
		if !ignore {
			merge(cur, body)
		}
		if r.Method == http.MethodPatch {
			writeJSON(w, http.StatusOK, cur)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusMethodNotAllowed, "Method Not Allowed", "https://docs.github.com/rest")
	}
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		if sub, ok := v.(map[string]any); ok {
			if d, ok := dst[k].(map[string]any); ok {
				merge(d, sub)
				continue
			}
		}
		dst[k] = v
	}
}

// repoImmutable serves a repository's immutable releases: 200 with
// {enabled, enforced_by_owner} when on, 404 when off; PUT turns them on,
// DELETE off (204).
func (s *Server) repoImmutable(w http.ResponseWriter, r *http.Request, path string, ignore bool) {
	cur := s.st.Settings[path]
	on := cur != nil && cur["enabled"] == true
	switch r.Method {
	case http.MethodGet:
		if !on {
			writeDenied(w, http.StatusNotFound)
			return
		}
		writeJSON(w, http.StatusOK, cur)
	case http.MethodPut, http.MethodDelete:
		if !ignore {
			s.st.Settings[path] = map[string]any{"enabled": r.Method == http.MethodPut, "enforced_by_owner": false}
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// rulesetSummaryKeys are the fields a ruleset list answers with.
var rulesetSummaryKeys = []string{"id", "name", "target", "source_type", "source", "enforcement", "node_id", "_links", "created_at", "updated_at"}

func (s *Server) rulesets(w http.ResponseWriter, r *http.Request, path string, body map[string]any, ignore bool) {
	owner, rest, _ := strings.Cut(path, "/rulesets")
	rest = strings.TrimPrefix(rest, "/")
	list := s.st.Rulesets[owner]
	// A repository's reads include its organization's rulesets unless
	// includes_parents=false, as GitHub answers.
	parents := s.parents(owner, r)
	if rest == "" {
		switch r.Method {
		case http.MethodGet:
			s.rulesetPage(w, r, owner, append(slices.Clone(list), parents...))
		case http.MethodPost:
			if msg := invalidRuleset(body); msg != "" {
				writeError(w, http.StatusUnprocessableEntity, "Validation Failed: "+msg, "https://docs.github.com/rest/repos/rules")
				return
			}
			s.next++
			rs := s.full(owner, s.next, body)
			if !ignore {
				s.st.Rulesets[owner] = append(list, rs)
			}
			writeJSON(w, http.StatusCreated, rs)
		}
		return
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	byID := func(m map[string]any) bool { n, _ := m["id"].(float64); return err == nil && int64(n) == id }
	i := slices.IndexFunc(list, byID)
	if j := slices.IndexFunc(parents, byID); i < 0 && j >= 0 && r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, parents[j])
		return
	}
	if i < 0 {
		writeDenied(w, http.StatusNotFound)
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, list[i])
	case http.MethodPut:
		if msg := invalidRuleset(body); msg != "" {
			writeError(w, http.StatusUnprocessableEntity, "Validation Failed: "+msg, "https://docs.github.com/rest/repos/rules")
			return
		}
		rs := s.full(owner, id, body)
		if !ignore {
			list[i] = rs
		}
		writeJSON(w, http.StatusOK, rs)
	}
}

// parents are the organization's rulesets a repository's read includes.
func (s *Server) parents(owner string, r *http.Request) []map[string]any {
	repo, ok := strings.CutPrefix(owner, "repos/")
	if !ok || r.URL.Query().Get("includes_parents") == "false" {
		return nil
	}
	org, _, _ := strings.Cut(repo, "/")
	return s.st.Rulesets["orgs/"+org]
}

// rulesetPage answers one page of the list, with a Link header to the
// next as GitHub sends it.
func (s *Server) rulesetPage(w http.ResponseWriter, r *http.Request, owner string, list []map[string]any) {
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 || per > 100 {
		per = 30
	}
	if s.st.PageSize > 0 && s.st.PageSize < per {
		per = s.st.PageSize
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}
	start := min((page-1)*per, len(list))
	end := min(start+per, len(list))
	out := []map[string]any{}
	for _, rs := range list[start:end] {
		sum := map[string]any{}
		for _, k := range rulesetSummaryKeys {
			if v, ok := rs[k]; ok {
				sum[k] = v
			}
		}
		out = append(out, sum)
	}
	if end < len(list) {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(page+1))
		w.Header().Set("Link", fmt.Sprintf(`<%s/%s/rulesets?%s>; rel="next"`, s.URL, owner, q.Encode()))
	}
	writeJSON(w, http.StatusOK, out)
}

// invalidRuleset checks what the API requires of a ruleset body.
func invalidRuleset(b map[string]any) string {
	if s, _ := b["name"].(string); s == "" {
		return "name is required"
	}
	if e, _ := b["enforcement"].(string); e != "active" && e != "evaluate" && e != "disabled" {
		return "enforcement must be active, evaluate or disabled"
	}
	rules, _ := b["rules"].([]any)
	for _, r := range rules {
		m, _ := r.(map[string]any)
		if t, _ := m["type"].(string); t == "" {
			return "every rule needs a type"
		}
		if m["type"] == "pull_request" {
			p, _ := m["parameters"].(map[string]any)
			for _, k := range []string{"required_approving_review_count", "dismiss_stale_reviews_on_push", "require_code_owner_review", "require_last_push_approval", "required_review_thread_resolution"} {
				if _, ok := p[k]; !ok {
					return "pull_request rule: " + k + " is required"
				}
			}
		}
	}
	return ""
}

// full is a ruleset as GitHub answers for it: the body with the fields
// the server adds.
func (s *Server) full(owner string, id int64, body map[string]any) map[string]any {
	rs := clone(body)
	rs["id"] = float64(id)
	srcType, src := "Repository", strings.TrimPrefix(owner, "repos/")
	if o, ok := strings.CutPrefix(owner, "orgs/"); ok {
		srcType, src = "Organization", o
	}
	rs["source_type"], rs["source"] = srcType, src
	if _, ok := rs["bypass_actors"]; !ok {
		rs["bypass_actors"] = []any{}
	}
	rs["node_id"] = fmt.Sprintf("RRS_lACqUmVwb3NpdG9yec5%d", id)
	rs["current_user_can_bypass"] = "never"
	rs["_links"] = map[string]any{"self": map[string]any{"href": fmt.Sprintf("%s/%s/rulesets/%d", s.URL, owner, id)}}
	rs["created_at"], rs["updated_at"] = "2026-11-02T10:14:05.000Z", "2026-11-02T10:14:05.000Z"
	return rs
}
