package testscripts

import (
	"encoding/json"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/hubgates/hub/actions/org-guard/orgfake"
)

// cmdOrgAPI starts a fake of the GitHub REST API's organization settings
// and rulesets (org-guard's), loaded from a JSON fixture in orgfake.State's
// shape, for the script's lifetime, and sets ORG_API_URL to its URL and
// ORG_API_TOKEN to the token it accepts. A second call replaces the first
// for the commands after it.
func cmdOrgAPI(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: org-api FIXTURE.json")
	}
	b, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	var st orgfake.State
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	ts.Check(dec.Decode(&st))
	s := orgfake.New("ghs_orgguardscript", st)
	ts.Defer(s.Close)
	ts.Setenv("ORG_API_URL", s.URL)
	ts.Setenv("ORG_API_TOKEN", s.Token)
}
