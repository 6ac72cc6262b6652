package ghfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Repo is one repository of the fake.
type Repo struct {
	Archived      bool
	DefaultBranch string // "main" when empty
	// RenamedTo, when set, is the repository's current full name: the
	// API answers for the old name with the new one.
	RenamedTo string
	// Tags and Branches map names to commit SHAs.
	Tags     map[string]string
	Branches map[string]string
	// Annotated lists tags served as annotated tag objects (their ref
	// points at a tag object that points at the commit).
	Annotated []string
	// History maps a branch or tag name to every commit reachable from it
	// (its tip included); commits absent from every history are not in
	// the repository (they may still be in Network).
	History map[string][]string
	// Network are commits GitHub knows through a fork: compare answers
	// "diverged" for them instead of 404.
	Network []string
	// Runs are the repository's workflow runs, served by
	// actions/runs (filtered by created>=) and actions/runs/{id}/jobs.
	Runs []Run
}

// Run is one workflow run and its jobs. Times are RFC 3339, or offsets
// from the moment of the request ("-90m"), for fixtures that must sit in
// a window ending now.
type Run struct {
	ID      int64
	Name    string
	Created string
	Jobs    []Job
}

// Job is one job of a run; Started and Completed are empty while it is
// queued or running.
type Job struct {
	ID                          int64
	Labels                      []string
	Created, Started, Completed string
}

// Vulnerability is one affected range of an advisory.
type Vulnerability struct {
	Package, Range, Patched string
}

// Advisory is one reviewed global advisory in the "actions" ecosystem.
type Advisory struct {
	GHSA, CVE, Summary, Severity string
	Vulnerabilities              []Vulnerability
}

// Server is the fake API.
type Server struct {
	*httptest.Server
	mu         sync.Mutex
	repos      map[string]*Repo // by lower-case owner/repo
	advisories []Advisory
	// Token is the bearer token every request must carry.
	Token string
	// Fail, when set, makes every request answer with this status (500,
	// or 403 as an exhausted primary rate limit).
	Fail     atomic.Int32
	requests atomic.Int64
	// PageSize is the page size for tags and branches (default 100).
	PageSize int
}

// New starts a fake API that accepts token.
func New(token string) *Server {
	s := &Server{repos: map[string]*Repo{}, Token: token, PageSize: 100}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AddRepo adds or replaces owner/repo.
func (s *Server) AddRepo(name string, r *Repo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repos[strings.ToLower(name)] = r
}

// AddAdvisory adds an advisory.
func (s *Server) AddAdvisory(a Advisory) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advisories = append(s.advisories, a)
}

// Requests returns how many requests the fake has answered.
func (s *Server) Requests() int64 { return s.requests.Load() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeError(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	switch code := int(s.Fail.Load()); code {
	case 0:
	case http.StatusForbidden:
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "4102444800")
		writeError(w, code, "API rate limit exceeded for user ID 1.")
		return
	default:
		writeError(w, code, "Server Error")
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	p := strings.Trim(r.URL.EscapedPath(), "/")
	if p == "advisories" {
		s.serveAdvisories(w, r)
		return
	}
	parts := strings.Split(p, "/")
	if len(parts) < 3 || parts[0] != "repos" {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	s.mu.Lock()
	repo, ok := s.repos[strings.ToLower(parts[1]+"/"+parts[2])]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	full := parts[1] + "/" + parts[2]
	if repo.RenamedTo != "" {
		full = repo.RenamedTo
	}
	rest := parts[3:]
	switch {
	case len(rest) == 0:
		s.serveRepo(w, full, repo)
	case len(rest) == 1 && rest[0] == "tags":
		s.serveList(w, r, full, repo.Tags, func(name, sha string) any {
			return map[string]any{
				"name": name, "node_id": "MDM6UmVm" + name,
				"zipball_url": apiURL(r, "repos/"+full+"/zipball/"+name), "tarball_url": apiURL(r, "repos/"+full+"/tarball/"+name),
				"commit": map[string]any{"sha": sha, "url": apiURL(r, "repos/"+full+"/commits/"+sha)},
			}
		})
	case len(rest) == 1 && rest[0] == "branches":
		s.serveList(w, r, full, repo.Branches, func(name, sha string) any {
			return map[string]any{
				"name": name, "protected": name == repo.defaultBranch(),
				"commit": map[string]any{"sha": sha, "url": apiURL(r, "repos/"+full+"/commits/"+sha)},
			}
		})
	case len(rest) >= 4 && rest[0] == "git" && rest[1] == "ref" && rest[2] == "tags":
		s.serveTagRef(w, r, full, repo, strings.Join(rest[3:], "/"))
	case len(rest) == 3 && rest[0] == "git" && rest[1] == "tags":
		s.serveTagObject(w, r, full, repo, rest[2])
	case len(rest) == 2 && rest[0] == "compare":
		s.serveCompare(w, r, full, repo, rest[1])
	case len(rest) == 2 && rest[0] == "actions" && rest[1] == "runs":
		s.serveRuns(w, r, repo)
	case len(rest) == 4 && rest[0] == "actions" && rest[1] == "runs" && rest[3] == "jobs":
		s.serveJobs(w, r, full, repo, rest[2])
	default:
		writeError(w, http.StatusNotFound, "Not Found")
	}
}

func (r *Repo) defaultBranch() string {
	if r.DefaultBranch == "" {
		return "main"
	}
	return r.DefaultBranch
}

func (s *Server) serveRepo(w http.ResponseWriter, full string, repo *Repo) {
	owner, name, _ := strings.Cut(full, "/")
	writeJSON(w, http.StatusOK, map[string]any{
		"id": 1296269, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "name": name, "full_name": full,
		"owner":   map[string]any{"login": owner, "id": 1, "type": "Organization"},
		"private": false, "html_url": "https://github.com/" + full, "fork": false,
		"archived": repo.Archived, "disabled": false, "default_branch": repo.defaultBranch(),
		"visibility": "public", "pushed_at": "2026-01-10T12:00:00Z",
	})
}

// serveList answers a paginated list of refs, sorted by name, with a Link
// header as GitHub sends it.
func (s *Server) serveList(w http.ResponseWriter, r *http.Request, full string, refs map[string]string, item func(name, sha string) any) {
	names := make([]string, 0, len(refs))
	for n := range refs {
		names = append(names, n)
	}
	sort.Strings(names)
	per := s.PageSize
	if v, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && v > 0 && v < per {
		per = v
	}
	page := 1
	if v, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && v > 0 {
		page = v
	}
	start := min((page-1)*per, len(names))
	end := min(start+per, len(names))
	if end < len(names) {
		u := *r.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(page+1))
		u.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, "http://"+r.Host+u.String()))
	}
	out := []any{}
	for _, n := range names[start:end] {
		out = append(out, item(n, refs[n]))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) serveTagRef(w http.ResponseWriter, r *http.Request, full string, repo *Repo, tag string) {
	sha, ok := repo.Tags[tag]
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	obj := map[string]any{"type": "commit", "sha": sha, "url": apiURL(r, "repos/"+full+"/git/commits/"+sha)}
	if slices.Contains(repo.Annotated, tag) {
		obj = map[string]any{"type": "tag", "sha": tagObjectSHA(tag), "url": apiURL(r, "repos/"+full+"/git/tags/"+tagObjectSHA(tag))}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ref": "refs/tags/" + tag, "node_id": "MDM6UmVmcmVmcy90YWdz", "url": apiURL(r, "repos/"+full+"/git/refs/tags/"+tag), "object": obj,
	})
}

// tagObjectSHA is a stable fake SHA for an annotated tag object.
func tagObjectSHA(tag string) string {
	h := fmt.Sprintf("%040x", len(tag)*7919)
	return "7a9" + h[3:]
}

func (s *Server) serveTagObject(w http.ResponseWriter, r *http.Request, full string, repo *Repo, sha string) {
	for _, tag := range repo.Annotated {
		if tagObjectSHA(tag) == sha {
			commit := repo.Tags[tag]
			writeJSON(w, http.StatusOK, map[string]any{
				"node_id": "MDM6VGFnOTQwYmQzMzYyNDhlZmFlMGY5ZWU1YmM3YjJkNWM5ODU4ODdiMTZhYw==", "tag": tag, "sha": sha,
				"url": apiURL(r, "repos/"+full+"/git/tags/"+sha), "message": "release " + tag,
				"tagger":       map[string]any{"name": "Monalisa Octocat", "email": "octocat@github.com", "date": "2026-01-10T12:00:00Z"},
				"object":       map[string]any{"type": "commit", "sha": commit, "url": apiURL(r, "repos/"+full+"/git/commits/"+commit)},
				"verification": map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil},
			})
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
}

func (s *Server) serveCompare(w http.ResponseWriter, r *http.Request, full string, repo *Repo, spec string) {
	base, head, ok := strings.Cut(spec, "...")
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	hist, ok := repo.History[base]
	if !ok {
		if tip, isBranch := repo.Branches[base]; isBranch {
			hist = []string{tip}
		} else if tip, isTag := repo.Tags[base]; isTag {
			hist = []string{tip}
		} else {
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
	}
	status := ""
	switch {
	case len(hist) > 0 && strings.EqualFold(hist[0], head):
		status = "identical"
	case containsFold(hist, head):
		status = "behind"
	case containsFold(repo.Network, head) || repo.known(head):
		status = "diverged"
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "No common ancestor between " + base + " and " + head + ".", "documentation_url": "https://docs.github.com/rest/commits/commits#compare-two-commits", "status": "404"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"url": apiURL(r, "repos/"+full+"/compare/"+spec), "html_url": "https://github.com/" + full + "/compare/" + spec,
		"status": status, "ahead_by": 0, "behind_by": 0, "total_commits": 0,
		"base_commit": map[string]any{"sha": base}, "merge_base_commit": map[string]any{"sha": base},
		"commits": []any{}, "files": []any{},
	})
}

// known reports a commit in any history of the repository.
func (r *Repo) known(sha string) bool {
	for _, h := range r.History {
		if containsFold(h, sha) {
			return true
		}
	}
	return false
}

func (s *Server) serveAdvisories(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	eco, affects := q.Get("ecosystem"), strings.ToLower(q.Get("affects"))
	out := []any{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.advisories {
		var vulns []any
		hit := false
		for _, v := range a.Vulnerabilities {
			hit = hit || strings.EqualFold(v.Package, affects) || strings.HasPrefix(strings.ToLower(v.Package), affects+"/")
			var patched any
			if v.Patched != "" {
				patched = v.Patched
			}
			vulns = append(vulns, map[string]any{
				"package":                  map[string]any{"ecosystem": "actions", "name": v.Package},
				"vulnerable_version_range": v.Range, "first_patched_version": patched, "vulnerable_functions": []any{},
			})
		}
		if (eco != "" && eco != "actions") || (affects != "" && !hit) {
			continue
		}
		var cve any
		ids := []any{map[string]any{"value": a.GHSA, "type": "GHSA"}}
		if a.CVE != "" {
			cve = a.CVE
			ids = append(ids, map[string]any{"value": a.CVE, "type": "CVE"})
		}
		out = append(out, map[string]any{
			"ghsa_id": a.GHSA, "cve_id": cve, "url": apiURL(r, "advisories/"+a.GHSA), "html_url": "https://github.com/advisories/" + a.GHSA,
			"repository_advisory_url": nil, "summary": a.Summary, "description": a.Summary, "type": "reviewed", "severity": a.Severity,
			"source_code_location": "", "identifiers": ids, "references": []any{"https://github.com/advisories/" + a.GHSA},
			"published_at": "2026-01-10T12:00:00Z", "updated_at": "2026-01-11T12:00:00Z", "github_reviewed_at": "2026-01-10T12:00:00Z",
			"nvd_published_at": nil, "withdrawn_at": nil, "vulnerabilities": vulns,
			"cvss": map[string]any{"vector_string": nil, "score": nil}, "cwes": []any{}, "credits": []any{},
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, s) })
}

func apiURL(r *http.Request, p string) string { return "http://" + r.Host + "/" + p }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest", "status": strconv.Itoa(code)})
}

// fakeTime turns a fixture time into RFC 3339: as written, or an offset
// from now; "" stays null.
func fakeTime(v string, now time.Time) any {
	if v == "" {
		return nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		// The API gives whole seconds; rounding up keeps a job that
		// started "-30m" from having run a moment more than 30 minutes.
		t := now.Add(d)
		if t2 := t.Truncate(time.Second); !t2.Equal(t) {
			t = t2.Add(time.Second)
		}
		return t.UTC().Format(time.RFC3339)
	}
	return v
}

// serveRuns answers GET actions/runs in the API's shape, filtered by
// created=>=<time> as GitHub filters it, paginated.
func (s *Server) serveRuns(w http.ResponseWriter, r *http.Request, repo *Repo) {
	now := time.Now()
	var since time.Time
	if c, ok := strings.CutPrefix(r.URL.Query().Get("created"), ">="); ok {
		t, err := time.Parse(time.RFC3339, c)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, "Invalid created filter")
			return
		}
		since = t
	}
	var items []any
	for _, run := range repo.Runs {
		created, _ := fakeTime(run.Created, now).(string)
		if t, err := time.Parse(time.RFC3339, created); err == nil && t.Before(since) {
			continue
		}
		items = append(items, map[string]any{"id": run.ID, "name": run.Name, "status": "completed", "created_at": created})
	}
	s.servePage(w, r, "workflow_runs", items)
}

// serveJobs answers GET actions/runs/{id}/jobs in the API's shape.
func (s *Server) serveJobs(w http.ResponseWriter, r *http.Request, full string, repo *Repo, id string) {
	now := time.Now()
	for _, run := range repo.Runs {
		if strconv.FormatInt(run.ID, 10) != id {
			continue
		}
		var items []any
		for _, j := range run.Jobs {
			status := "completed"
			switch {
			case j.Started == "":
				status = "queued"
			case j.Completed == "":
				status = "in_progress"
			}
			items = append(items, map[string]any{
				"id": j.ID, "run_id": run.ID, "workflow_name": run.Name, "status": status, "labels": j.Labels,
				"created_at": fakeTime(j.Created, now), "started_at": fakeTime(j.Started, now), "completed_at": fakeTime(j.Completed, now),
				"url": apiURL(r, "repos/"+full+"/actions/jobs/"+strconv.FormatInt(j.ID, 10)),
			})
		}
		s.servePage(w, r, "jobs", items)
		return
	}
	writeError(w, http.StatusNotFound, "Not Found")
}

// servePage answers one page of items as {"total_count", key: [...]},
// with a Link header to the next page as GitHub sends it.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, key string, items []any) {
	per := s.PageSize
	if v, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && v > 0 && v < per {
		per = v
	}
	page := 1
	if v, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && v > 0 {
		page = v
	}
	start := min((page-1)*per, len(items))
	end := min(start+per, len(items))
	if end < len(items) {
		u := *r.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(page+1))
		u.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, "http://"+r.Host+u.String()))
	}
	page0 := items[start:end]
	if page0 == nil {
		page0 = []any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total_count": len(items), key: page0})
}
