package sentinel

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	const repo = "hubgates/fixture"
	pr := func(head string) string {
		return `{"repository":{"default_branch":"trunk"},"pull_request":{"head":{"repo":{"full_name":"` + head + `"}}}}`
	}
	run := func(event, head, branch string) string {
		return `{"repository":{"default_branch":"trunk"},"workflow_run":{"event":"` + event + `","head_branch":"` + branch + `","head_repository":{"full_name":"` + head + `"}}}`
	}
	cases := []struct {
		name, event, ref, payload string
		protected                 []string
		want                      Domain
		why                       string
	}{
		{"push to default branch", "push", "refs/heads/trunk", `{"repository":{"default_branch":"trunk"}}`, nil, DomainProtected, "push on protected ref refs/heads/trunk"},
		{"push elsewhere", "push", "refs/heads/main", `{"repository":{"default_branch":"trunk"}}`, nil, DomainInternal, "not a protected ref"},
		{"no payload defaults to main", "schedule", "refs/heads/main", "", nil, DomainProtected, "schedule on protected ref"},
		{"tag not protected by default", "push", "refs/tags/v1", "", nil, DomainInternal, ""},
		{"tag pattern", "release", "refs/tags/v1.2", "", []string{"refs/tags/v*"}, DomainProtected, ""},
		{"pattern is one segment", "push", "refs/heads/release/a/b", "", []string{"refs/heads/release/*"}, DomainInternal, ""},
		{"same-repo pull request", "pull_request", "refs/pull/1/merge", pr(repo), nil, DomainInternal, "from a branch of"},
		{"case-insensitive repository", "pull_request", "refs/pull/1/merge", pr("HubGates/Fixture"), nil, DomainInternal, ""},
		{"fork pull request", "pull_request", "refs/pull/1/merge", pr("attacker/fixture"), nil, DomainExternal, "from fork attacker/fixture"},
		{"deleted fork", "pull_request", "refs/pull/1/merge", `{"pull_request":{"head":{"repo":null}}}`, nil, DomainExternal, "unknown"},
		{"pull_request_target from a fork on the default branch", "pull_request_target", "refs/heads/trunk", pr("attacker/fixture"), nil, DomainExternal, ""},
		{"pull_request_target from a branch", "pull_request_target", "refs/heads/trunk", pr(repo), nil, DomainInternal, ""},
		{"review comment from a fork", "pull_request_review_comment", "refs/pull/1/merge", pr("attacker/fixture"), nil, DomainExternal, ""},
		{"issue comment", "issue_comment", "refs/heads/trunk", `{"repository":{"default_branch":"trunk"}}`, nil, DomainExternal, "anyone can raise"},
		{"workflow_run of a fork", "workflow_run", "refs/heads/trunk", run("pull_request", "attacker/fixture", "main"), nil, DomainExternal, "from fork"},
		{"workflow_run of a pull request", "workflow_run", "refs/heads/trunk", run("pull_request", repo, "feature"), nil, DomainInternal, ""},
		{"workflow_run of a push to trunk", "workflow_run", "refs/heads/trunk", run("push", repo, "trunk"), nil, DomainProtected, ""},
		{"workflow_run of a push elsewhere", "workflow_run", "refs/heads/trunk", run("push", repo, "feature"), nil, DomainInternal, ""},
		{"workflow_run without payload", "workflow_run", "refs/heads/trunk", "", nil, DomainExternal, ""},
		{"merge queue", "merge_group", "refs/heads/gh-readonly-queue/trunk/pr-1-abc", `{"repository":{"default_branch":"trunk"}}`, nil, DomainInternal, ""},
		{"outside Actions", "", "", "", nil, DomainInternal, "outside GitHub Actions"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Classify(Event{Name: c.event, Ref: c.ref, Repository: repo, Payload: []byte(c.payload)}, c.protected)
			if err != nil {
				t.Fatal(err)
			}
			if got.Domain != c.want || !strings.Contains(got.Why, c.why) {
				t.Errorf("got %s (%s), want %s mentioning %q", got.Domain, got.Why, c.want, c.why)
			}
		})
	}
	for _, bad := range []string{"main", "heads/main", "refs/heads/[ab]", "refs/heads/ma?n", `refs\heads`} {
		if _, err := Classify(Event{Name: "push"}, []string{bad}); !errors.Is(err, ErrBadRefPattern) {
			t.Errorf("pattern %q: got %v, want ErrBadRefPattern", bad, err)
		}
	}
	if _, err := Classify(Event{Name: "push", Payload: []byte("{")}, nil); err == nil {
		t.Error("a broken payload was accepted")
	}
}

func TestAccepts(t *testing.T) {
	for _, run := range Domains() {
		for _, sealed := range Domains() {
			want := sealed.rank() >= run.rank()
			if got := run.Accepts(sealed); got != want {
				t.Errorf("%s run accepts %s cache: %v, want %v", run, sealed, got, want)
			}
		}
	}
	if DomainExternal.Accepts("bogus") || Domain("bogus").Accepts(DomainProtected) {
		t.Error("an unknown domain was accepted")
	}
}

func TestKeys(t *testing.T) {
	cases := []struct {
		d           Domain
		restore     []string
		key         string
		wantRestore []string
	}{
		{DomainProtected, []string{"go-"}, "sentinel-v1-protected-go-abc", []string{"sentinel-v1-protected-go-"}},
		{DomainInternal, []string{"go-"}, "sentinel-v1-internal-go-abc",
			[]string{"sentinel-v1-protected-go-abc", "sentinel-v1-internal-go-", "sentinel-v1-protected-go-"}},
		{DomainExternal, []string{"go-linux-", "go-"}, "sentinel-v1-external-go-abc",
			[]string{"sentinel-v1-internal-go-abc", "sentinel-v1-protected-go-abc",
				"sentinel-v1-external-go-linux-", "sentinel-v1-internal-go-linux-", "sentinel-v1-protected-go-linux-",
				"sentinel-v1-external-go-", "sentinel-v1-internal-go-", "sentinel-v1-protected-go-"}},
		{DomainProtected, nil, "sentinel-v1-protected-go-abc", nil},
	}
	for _, c := range cases {
		key, restore, err := Keys(c.d, "go-abc", c.restore)
		if err != nil || key != c.key || !slices.Equal(restore, c.wantRestore) {
			t.Errorf("%s: %q %q %v, want %q %q", c.d, key, restore, err, c.key, c.wantRestore)
		}
		// No restore key ever reaches a less trusted domain.
		for _, r := range restore {
			for _, d := range Domains() {
				if strings.HasPrefix(r, KeyPrefix(d)) && !c.d.Accepts(d) {
					t.Errorf("%s run restores %q", c.d, r)
				}
			}
		}
	}
	for _, bad := range []string{"", "a,b", strings.Repeat("k", 500)} {
		if _, _, err := Keys(DomainInternal, bad, nil); !errors.Is(err, ErrBadKey) {
			t.Errorf("key %.20q: got %v, want ErrBadKey", bad, err)
		}
		if _, _, err := Keys(DomainInternal, "ok", []string{bad}); !errors.Is(err, ErrBadKey) {
			t.Errorf("restore key %.20q: got %v, want ErrBadKey", bad, err)
		}
	}
}

func TestDefaultIdentity(t *testing.T) {
	re := regexp.MustCompile(DefaultIdentity("https://github.com/", "hubgates/fixture", []string{"refs/heads/main", "refs/tags/v*"}))
	for san, want := range map[string]bool{
		"https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/heads/main":        true,
		"https://github.com/hubgates/fixture/.github/workflows/release.yaml@refs/tags/v1.2.3": true,
		"https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/heads/mainline":    false,
		"https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/pull/7/merge":      false,
		"https://github.com/attacker/fixture/.github/workflows/ci.yml@refs/heads/main":        false,
		"https://github.com/hubgates/fixture-fork/.github/workflows/ci.yml@refs/heads/main":   false,
		"https://github.com/hubgates/fixture/.github/workflows/a/b.yml@refs/heads/main":       false,
		"https://githubXcom/hubgates/fixture/.github/workflows/ci.yml@refs/heads/main":        false,
		"https://github.com/hubgates/fixture/.github/workflows/ci.yml@refs/tags/v1/evil":      false,
	} {
		if got := re.MatchString(san); got != want {
			t.Errorf("%s: match %v, want %v (regexp %s)", san, got, want, re)
		}
	}
}
