package budget

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v75/github"
)

// fakeActions answers the two endpoints Fetch reads, in the API's shapes:
// {"total_count", "workflow_runs"} and {"total_count", "jobs"}, paginated
// with a Link header; rateLimited answers 403 with a spent primary limit.
type fakeActions struct {
	runs        []map[string]any
	jobs        map[int64][]map[string]any
	perPage     int
	rateLimited bool
	created     string // the created filter of the last runs request
}

func (f *fakeActions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if f.rateLimited {
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "4102444800")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"API rate limit exceeded for installation ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	paginate := func(items []map[string]any) []map[string]any {
		start := min((page-1)*f.perPage, len(items))
		end := min(start+f.perPage, len(items))
		if end < len(items) {
			u := *r.URL
			q := u.Query()
			q.Set("page", strconv.Itoa(page+1))
			u.RawQuery = q.Encode()
			w.Header().Set("Link", fmt.Sprintf(`<http://%s%s>; rel="next"`, r.Host, u.String()))
		}
		return items[start:end]
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 5 && parts[3] == "actions" && parts[4] == "runs":
		f.created = r.URL.Query().Get("created")
		json.NewEncoder(w).Encode(map[string]any{"total_count": len(f.runs), "workflow_runs": paginate(f.runs)})
	case len(parts) == 7 && parts[4] == "runs" && parts[6] == "jobs":
		id, _ := strconv.ParseInt(parts[5], 10, 64)
		json.NewEncoder(w).Encode(map[string]any{"total_count": len(f.jobs[id]), "jobs": paginate(f.jobs[id])})
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found"}`)
	}
}

func client(t *testing.T, h http.Handler) *github.Client {
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	gh := github.NewClient(s.Client())
	u, _ := url.Parse(s.URL + "/")
	gh.BaseURL = u
	return gh
}

func TestFetchPaginates(t *testing.T) {
	f := &fakeActions{perPage: 2, jobs: map[int64][]map[string]any{}}
	for run := int64(1); run <= 3; run++ {
		f.runs = append(f.runs, map[string]any{"id": run, "name": "ci", "status": "completed"})
		for j := range 3 {
			id := run*10 + int64(j)
			f.jobs[run] = append(f.jobs[run], map[string]any{
				"id": id, "run_id": run, "workflow_name": "ci", "status": "completed", "labels": []string{"ubuntu-24.04"},
				"created_at": "2026-12-04T10:00:00Z", "started_at": "2026-12-04T10:01:00Z", "completed_at": "2026-12-04T10:11:00Z",
			})
		}
	}
	since := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	jobs, err := Fetch(context.Background(), client(t, f), "o/r", since)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 9 {
		t.Fatalf("got %d jobs, want 9 (3 runs over 2 pages, 3 jobs each over 2 pages)", len(jobs))
	}
	if f.created != ">=2026-12-04T09:00:00Z" {
		t.Errorf("created filter %q", f.created)
	}
	j := jobs[8]
	if j.ID != 32 || j.Repository != "o/r" || j.Workflow != "ci" || j.Labels[0] != "ubuntu-24.04" || j.Minutes(time.Now()) != 10 || j.Started.Sub(j.Created) != time.Minute {
		t.Errorf("last job %+v", j)
	}
}

func TestFetchRateLimited(t *testing.T) {
	_, err := Fetch(context.Background(), client(t, &fakeActions{rateLimited: true, perPage: 1}), "o/r", time.Now())
	if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "resets at 2100-01-01T00:00:00Z") {
		t.Fatalf("got %v", err)
	}
	if _, err := Fetch(context.Background(), client(t, &fakeActions{perPage: 1}), "nope", time.Now()); err == nil {
		t.Error("a repository without owner accepted")
	}
}
