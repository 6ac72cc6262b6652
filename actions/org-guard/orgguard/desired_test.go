package orgguard

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hubgates/hub/shared/waiver"
)

func TestParseDesiredReportsEveryProblemWithItsLine(t *testing.T) {
	p, _ := waiver.NewPolicy(time.Now())
	cfg, err := p.Parse("hub.yml", []byte(`version: 1
org-guard:
  actions:
    github-owned-allowed: yes
    fork-pr-approval: never
  rulesets:
    - target: tag
      include: "refs/tags/v*"
      pull-request: {approvals: 11}
    - name: a
      target: branch
      include: [main]
    - name: a
      target: branch
      include: [main]
  immutable-releases: "true"
  tokens:
    classic: restricted
`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseDesired("hub.yml", cfg.Gate(gateName).Settings)
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`hub.yml:4: invalid value: org-guard.actions.github-owned-allowed: expected true or false, got "yes"`,
		`hub.yml:5: invalid value: org-guard.actions.fork-pr-approval: expected one of`,
		`hub.yml:7: missing value: org-guard.rulesets[0]: name`,
		`hub.yml:8: invalid configuration syntax: org-guard.rulesets[0].include: expected a list`,
		`hub.yml:9: invalid value: org-guard.rulesets[0].pull-request.approvals: expected a number from 0 to 10, got "11"`,
		`hub.yml:13: invalid value: org-guard.rulesets[2].name: "a" is also the name of the ruleset on line 10`,
		`hub.yml:16: invalid value: immutable-releases: expected true or false, got "true"`,
		`hub.yml:18: invalid value: org-guard.tokens: personal access token policies`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	var pe *waiver.ParseError
	if !errors.As(err, &pe) || !errors.Is(err, waiver.ErrBadValue) {
		t.Errorf("errors are not *waiver.ParseError wrapping the sentinels: %v", err)
	}
}

func TestTheSelectedListNeedsAllowedActionsSelected(t *testing.T) {
	p, _ := waiver.NewPolicy(time.Now())
	cfg, err := p.Parse("hub.yml", []byte("version: 1\norg-guard:\n  actions:\n    allowed-actions: all\n    verified-allowed: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseDesired("hub.yml", cfg.Gate(gateName).Settings)
	if err == nil || !strings.Contains(err.Error(), "hub.yml:4: invalid value: org-guard.actions: github-owned-allowed, verified-allowed and patterns-allowed apply only with allowed-actions: selected") {
		t.Fatalf("got %v", err)
	}
}

// Only org-guard's section takes its keys: another gate's section is as
// strict as before.
func TestSectionKeysBelongToTheirGate(t *testing.T) {
	p, _ := waiver.NewPolicy(time.Now())
	_, err := p.Parse("hub.yml", []byte("version: 1\nsbom-gate:\n  actions: {}\norg-guard:\n  actionz: {}\n"))
	if err == nil || !strings.Contains(err.Error(), `hub.yml:3: unknown key "actions" in section "sbom-gate"`) || !strings.Contains(err.Error(), `hub.yml:5: unknown key "actionz" in section "org-guard"`) {
		t.Fatalf("got %v", err)
	}
}

// FuzzParseDesired: any configuration text is parsed or refused with
// errors, never a panic, and a parsed one asks for something or nothing
// without contradiction.
func FuzzParseDesired(f *testing.F) {
	f.Add(orgConfig)
	f.Add("version: 1\norg-guard:\n  rulesets:\n    - {name: a, target: tag, include: [x], pull-request: {approvals: 1}}\n")
	f.Add("version: 1\norg-guard:\n  actions: [1, 2]\n  rulesets: {a: b}\n  code-owners: x\n")
	p, _ := waiver.NewPolicy(time.Now())
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := p.Parse("hub.yml", []byte(text))
		if err != nil {
			return
		}
		d, err := ParseDesired("hub.yml", cfg.Gate(gateName).Settings)
		if err != nil {
			var pe *waiver.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error without a place: %v", err)
			}
			return
		}
		for _, rs := range d.Rulesets {
			if rs.Name == "" || rs.Target == "" || rs.Include == nil {
				t.Fatalf("a ruleset without name, target or include passed: %+v", rs)
			}
		}
	})
}
