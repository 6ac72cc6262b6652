package audit

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/actions/workflow-audit/ghfake"
	"github.com/hubgates/hub/shared/finding"
)

const (
	shaV1    = "1111111111111111111111111111111111111111"
	shaV2    = "2222222222222222222222222222222222222222"
	shaMid   = "3333333333333333333333333333333333333333"
	shaFork  = "4444444444444444444444444444444444444444"
	shaV045  = "5555555555555555555555555555555555555555"
	fakeTok  = "ghs_testtoken"
	fakeRepo = "octo/tool"
)

// fakeAPI is a GitHub with octo/tool (tags v1.0.0 -> shaV1, v2.0.0 and v2
// -> shaV2, a branch "v2" too), an archived repository, a renamed one and
// an advisory on octo/tool below 2.0.0.
func fakeAPI(t *testing.T) *ghfake.Server {
	t.Helper()
	s := ghfake.New(fakeTok)
	t.Cleanup(s.Close)
	s.AddRepo(fakeRepo, &ghfake.Repo{
		Tags:      map[string]string{"v1.0.0": shaV1, "v2.0.0": shaV2, "v2": shaV2},
		Branches:  map[string]string{"main": shaV2, "v2": shaV2},
		Annotated: []string{"v2.0.0"},
		History:   map[string][]string{"main": {shaV2, shaMid, shaV1}},
		Network:   []string{shaFork},
	})
	s.AddRepo("old/abandoned", &ghfake.Repo{Archived: true, Tags: map[string]string{"v1": shaV1}, Branches: map[string]string{"main": shaV1}})
	s.AddRepo("old/name", &ghfake.Repo{RenamedTo: "new/name", Tags: map[string]string{"v1": shaV1}, Branches: map[string]string{"main": shaV1}})
	s.AddRepo("vuln/action", &ghfake.Repo{Tags: map[string]string{"v0.45.0": shaV045, "v0.46.1": shaV2}, Branches: map[string]string{"main": shaV2}})
	s.AddAdvisory(ghfake.Advisory{GHSA: "GHSA-aaaa-bbbb-cccc", CVE: "CVE-2026-0001", Summary: "injection through the title input", Severity: "high",
		Vulnerabilities: []ghfake.Vulnerability{{Package: "vuln/action", Range: "< 0.46.1", Patched: "0.46.1"}}})
	return s
}

// onlineScan scans files and runs the online rules against the fake.
func onlineScan(t *testing.T, s *ghfake.Server, files map[string]string, p Persona) *OnlineReport {
	t.Helper()
	rep := scanTree(t, files, Options{Persona: p})
	or, err := CheckOnline(context.Background(), rep, OnlineOptions{Token: fakeTok, APIURL: s.URL, Persona: p, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return or
}

func usesWorkflow(uses ...string) map[string]string {
	var ls []string
	for _, u := range uses {
		ls = append(ls, "      - uses: "+u)
	}
	return map[string]string{".github/workflows/ci.yml": lines(append([]string{"on: push", "permissions: {}", "jobs:", "  a:", "    runs-on: ubuntu-latest", "    steps:"}, ls...)...)}
}

func TestOnlineRules(t *testing.T) {
	s := fakeAPI(t)
	tests := []struct {
		name    string
		uses    string
		persona Persona
		rule    string
		want    *want
	}{
		{"impostor commit from a fork", fakeRepo + "@" + shaFork + " # v2.0.0", PersonaRegular, RuleImpostorCommit,
			&want{finding.Critical, 7, 15, "in no branch or tag of octo/tool"}},
		{"commit unknown to the repository", fakeRepo + "@" + strings.Repeat("9", 40), PersonaRegular, RuleImpostorCommit,
			&want{finding.Critical, 7, 15, "GitHub cannot find it there"}},
		{"commit in main's history", fakeRepo + "@" + shaMid, PersonaRegular, RuleImpostorCommit, nil},
		{"commit of a tag", fakeRepo + "@" + shaV1 + " # v1.0.0", PersonaRegular, RuleImpostorCommit, nil},
		{"ref both tag and branch", fakeRepo + "@v2", PersonaRegular, RuleRefConfusion,
			&want{finding.Medium, 7, 15, `"v2" is both a tag and a branch`}},
		{"ref only a tag", fakeRepo + "@v1.0.0", PersonaRegular, RuleRefConfusion, nil},
		{"comment names another tag", fakeRepo + "@" + shaV1 + " # v2.0.0", PersonaRegular, RuleRefVersionMismatch,
			&want{finding.Medium, 7, 15, "tag v2.0.0 of octo/tool is commit " + shaV2 + " (the commit is v1.0.0)"}},
		{"comment matches an annotated tag", fakeRepo + "@" + shaV2 + " # v2.0.0", PersonaRegular, RuleRefVersionMismatch, nil},
		{"comment without v matches", fakeRepo + "@" + shaV1 + " # 1.0.0", PersonaRegular, RuleRefVersionMismatch, nil},
		{"comment names a missing tag", fakeRepo + "@" + shaV1 + " # v9.9.9", PersonaRegular, RuleRefVersionMismatch,
			&want{finding.Medium, 7, 15, "has no such tag"}},
		{"unreleased commit, pedantic", fakeRepo + "@" + shaMid, PersonaPedantic, RuleStaleActionRefs,
			&want{finding.Low, 7, 15, "no tag of octo/tool points at"}},
		{"unreleased commit, regular", fakeRepo + "@" + shaMid, PersonaRegular, RuleStaleActionRefs, nil},
		{"released commit, pedantic", fakeRepo + "@" + shaV1, PersonaPedantic, RuleStaleActionRefs, nil},
		{"archived repository", "old/abandoned@" + shaV1, PersonaRegular, RuleArchivedUses,
			&want{finding.Medium, 7, 15, "an archived repository"}},
		{"renamed repository", "old/name@" + shaV1, PersonaRegular, RuleArchivedUses,
			&want{finding.Low, 7, 15, "which is now new/name"}},
		{"maintained repository", fakeRepo + "@" + shaV1, PersonaRegular, RuleArchivedUses, nil},
		{"missing repository, pedantic", "gone/away@" + shaV1, PersonaPedantic, RuleArchivedUses,
			&want{finding.Medium, 7, 15, "does not exist or the token cannot see it"}},
		{"vulnerable tag", "vuln/action@v0.45.0", PersonaRegular, RuleKnownVulnerableActions,
			&want{finding.High, 7, 15, "GHSA-aaaa-bbbb-cccc, CVE-2026-0001) lists as vulnerable (< 0.46.1)"}},
		{"vulnerable commit found by its tag", "vuln/action@" + shaV045, PersonaRegular, RuleKnownVulnerableActions,
			&want{finding.High, 7, 15, "is v0.45.0"}},
		{"patched tag", "vuln/action@v0.46.1", PersonaRegular, RuleKnownVulnerableActions, nil},
		{"patched commit", "vuln/action@" + shaV2 + " # v0.46.1", PersonaRegular, RuleKnownVulnerableActions, nil},
		{"no advisory", fakeRepo + "@v1.0.0", PersonaRegular, RuleKnownVulnerableActions, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			or := onlineScan(t, s, usesWorkflow(tt.uses), tt.persona)
			if len(or.Failures) > 0 {
				t.Fatalf("failures: %q", or.Failures)
			}
			checkOne(t, only(or.Findings, tt.rule), tt.want)
		})
	}
}

// TestOnlineCache: a repository named many times is asked about once per
// question.
func TestOnlineCache(t *testing.T) {
	s := fakeAPI(t)
	one := onlineScan(t, s, usesWorkflow(fakeRepo+"@"+shaV1+" # v1.0.0"), PersonaRegular)
	before := s.Requests()
	many := onlineScan(t, s, usesWorkflow(fakeRepo+"@"+shaV1+" # v1.0.0", fakeRepo+"@"+shaV1+" # v1.0.0", fakeRepo+"@"+shaV1+" # v1.0.0"), PersonaRegular)
	if got := s.Requests() - before; got != int64(one.Calls) || many.Calls != one.Calls {
		t.Errorf("three uses made %d requests (%d counted), one made %d", got, many.Calls, one.Calls)
	}
}

// TestOnlineNotRun: without a token every online rule says it did not run.
func TestOnlineNotRun(t *testing.T) {
	rep := scanTree(t, usesWorkflow(fakeRepo+"@"+shaFork), Options{})
	or, err := CheckOnline(context.Background(), rep, OnlineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(or.NotRun) != 6 || or.Reason == "" || len(or.Findings) != 0 {
		t.Errorf("not run = %q (%q), findings %v", or.NotRun, or.Reason, or.Findings)
	}
}

// TestOnlineFailures: an API that fails, or whose rate limit is spent, is
// a failure with the worst severity at stake, never a silent pass.
func TestOnlineFailures(t *testing.T) {
	for _, code := range []int{http.StatusInternalServerError, http.StatusForbidden} {
		s := fakeAPI(t)
		s.Fail.Store(int32(code))
		or := onlineScan(t, s, usesWorkflow(fakeRepo+"@"+shaFork), PersonaRegular)
		if len(or.Failures) == 0 || or.Worst != finding.Critical || len(or.Findings) != 0 {
			t.Errorf("%d: failures %q, worst %v, findings %v", code, or.Failures, or.Worst, or.Findings)
		}
		if code == http.StatusForbidden && !strings.Contains(strings.Join(or.Failures, "\n"), "rate limit") {
			t.Errorf("rate limit not named: %q", or.Failures)
		}
	}
	if _, err := CheckOnline(context.Background(), &Report{}, OnlineOptions{Token: "x", APIURL: "ftp://x"}); err == nil {
		t.Error("an ftp API URL was accepted")
	}
}

func TestInRange(t *testing.T) {
	for _, tt := range []struct {
		v, r     string
		in, know bool
	}{
		{"0.45.0", "< 0.46.1", true, true},
		{"v46", "< 46.0.1", true, true},
		{"46.0.1", "< 46.0.1", false, true},
		{"1.5", ">= 1.0, < 2.3", true, true},
		{"2.3", ">= 1.0, < 2.3", false, true},
		{"1.2.3", "= 1.2.3", true, true},
		{"1.2.3", "<= banana", false, false},
	} {
		v, _ := parseRelease(tt.v)
		in, known := inRange(v, tt.r)
		if in != tt.in || known != tt.know {
			t.Errorf("inRange(%s, %q) = %v, %v", tt.v, tt.r, in, known)
		}
	}
}
