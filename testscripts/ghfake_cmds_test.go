package testscripts

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/actions/workflow-audit/ghfake"
)

// ghfakeFixture is the JSON a github-api command loads: repositories by
// owner/repo and advisories, in ghfake's types.
type ghfakeFixture struct {
	Repos      map[string]*ghfake.Repo `json:"repos"`
	Advisories []ghfake.Advisory       `json:"advisories"`
	// PageSize, when set, is the page size of every list.
	PageSize int `json:"pageSize"`
}

// cmdGitHubAPI starts a fake GitHub REST API loaded from a JSON fixture,
// for the script's lifetime, and sets GITHUB_API_URL_FAKE to its URL and
// GITHUB_TOKEN_FAKE to the token it accepts. With -fail=CODE every
// request answers CODE (500, or 403 for a spent rate limit).
func cmdGitHubAPI(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: github-api [-fail=CODE] FIXTURE.json"
	fail := 0
	if len(args) == 2 && strings.HasPrefix(args[0], "-fail=") {
		n, err := strconv.Atoi(strings.TrimPrefix(args[0], "-fail="))
		if err != nil {
			ts.Fatalf("%s", usage)
		}
		fail, args = n, args[1:]
	}
	if neg || len(args) != 1 {
		ts.Fatalf("%s", usage)
	}
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	var fx ghfakeFixture
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	ts.Check(dec.Decode(&fx))
	s := ghfake.New("ghs_scripttoken")
	ts.Defer(s.Close)
	for name, r := range fx.Repos {
		s.AddRepo(name, r)
	}
	for _, a := range fx.Advisories {
		s.AddAdvisory(a)
	}
	if fx.PageSize > 0 {
		s.PageSize = fx.PageSize
	}
	s.Fail.Store(int32(fail))
	ts.Setenv("GITHUB_API_URL_FAKE", s.URL)
	ts.Setenv("GITHUB_TOKEN_FAKE", s.Token)
}
