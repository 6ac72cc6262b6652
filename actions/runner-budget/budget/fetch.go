package budget

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-github/v75/github"
)

// ErrRateLimited is wrapped when GitHub refuses for a spent rate limit:
// the budget cannot be decided until it resets.
var ErrRateLimited = errors.New("GitHub API rate limit")

// maxPages bounds the pages read of one listing, so a window holding more
// runs than that fails instead of running for ever.
const maxPages = 50

// Fetch lists the jobs of repo's workflow runs created since the given
// time, every page of runs and of each run's jobs (100 a page). A spent
// primary or secondary rate limit wraps ErrRateLimited and says when it
// resets.
func Fetch(ctx context.Context, gh *github.Client, repo string, since time.Time) ([]Job, error) {
	owner, name, ok := cutRepo(repo)
	if !ok {
		return nil, fmt.Errorf("repository %q: want owner/repo", repo)
	}
	var jobs []Job
	opts := &github.ListWorkflowRunsOptions{Created: ">=" + since.UTC().Format(time.RFC3339), ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; ; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("listing the workflow runs of %s: more than %d pages since %s", repo, maxPages, since.Format(time.RFC3339))
		}
		runs, resp, err := gh.Actions.ListRepositoryWorkflowRuns(ctx, owner, name, opts)
		if err != nil {
			return nil, apiError("listing the workflow runs of "+repo, err)
		}
		for _, r := range runs.WorkflowRuns {
			js, err := runJobs(ctx, gh, owner, name, r)
			if err != nil {
				return nil, err
			}
			jobs = append(jobs, js...)
		}
		if resp.NextPage == 0 {
			return jobs, nil
		}
		opts.Page = resp.NextPage
	}
}

func runJobs(ctx context.Context, gh *github.Client, owner, name string, r *github.WorkflowRun) ([]Job, error) {
	var out []Job
	opts := &github.ListWorkflowJobsOptions{Filter: "latest", ListOptions: github.ListOptions{PerPage: 100}}
	for page := 0; ; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("listing the jobs of run %d: more than %d pages", r.GetID(), maxPages)
		}
		js, resp, err := gh.Actions.ListWorkflowJobs(ctx, owner, name, r.GetID(), opts)
		if err != nil {
			return nil, apiError(fmt.Sprintf("listing the jobs of run %d of %s/%s", r.GetID(), owner, name), err)
		}
		for _, j := range js.Jobs {
			out = append(out, Job{
				ID: j.GetID(), Repository: owner + "/" + name, Workflow: cmpOr(j.GetWorkflowName(), r.GetName()),
				Labels: j.Labels, Created: j.GetCreatedAt().Time, Started: j.GetStartedAt().Time, Completed: j.GetCompletedAt().Time,
			})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// apiError names what was asked and, for a rate limit, when to retry.
func apiError(what string, err error) error {
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		return fmt.Errorf("%s: %w: spent, resets at %s", what, ErrRateLimited, rl.Rate.Reset.UTC().Format(time.RFC3339))
	}
	var ab *github.AbuseRateLimitError
	if errors.As(err, &ab) {
		after := "later"
		if ab.RetryAfter != nil {
			after = "in " + ab.RetryAfter.String()
		}
		return fmt.Errorf("%s: %w (secondary): retry %s", what, ErrRateLimited, after)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func cutRepo(repo string) (string, string, bool) {
	for i := 0; i < len(repo); i++ {
		if repo[i] == '/' {
			return repo[:i], repo[i+1:], i > 0 && i < len(repo)-1
		}
	}
	return "", "", false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
