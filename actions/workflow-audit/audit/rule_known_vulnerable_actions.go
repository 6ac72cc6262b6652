package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// knownVulnerableActionsRule reports uses: of action versions that a
// reviewed GitHub advisory (ecosystem "actions") lists as vulnerable
// (online).
type knownVulnerableActionsRule struct{}

func (knownVulnerableActionsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleKnownVulnerableActions,
		Severity: finding.High,
		Summary:  "Action version with a published GitHub security advisory (online)",
		Help: "GitHub's advisory database lists actions with known vulnerabilities (injection through their " +
			"inputs, leaked tokens, compromised releases) and the versions affected. The version is read from " +
			"the tag in uses:, or for a SHA pin from its version comment or the tags that point at the commit. " +
			"Upgrade to the first patched version the advisory names. The severity is the advisory's. Needs " +
			"github-token; the embedded known-compromised list works offline.",
		HelpURI: helpBase + RuleKnownVulnerableActions,
	}
}

func (knownVulnerableActionsRule) worst() finding.Severity { return finding.Critical }

func (knownVulnerableActionsRule) checkOnline(ctx context.Context, c *ghClient, u usesRef, rep *reporter) error {
	owner, repo := u.ref.owner, u.ref.repo
	advs, err := c.advisories(ctx, owner, repo)
	if err != nil {
		return ignoreMissing(err)
	}
	if len(advs) == 0 {
		return nil
	}
	ver, verName, err := actionVersion(ctx, c, u)
	if err != nil {
		return err
	}
	for _, a := range advs {
		for _, r := range a.ranges {
			if r.pkg != u.ref.repository() && r.pkg != u.ref.name() {
				continue
			}
			if verName == "" {
				if rep.wants(PersonaPedantic) {
					rep.report(finding.Low, u.at.pos, "advisory-unknown:"+a.id+":"+u.at.value, fmt.Sprintf("%s (%s) affects %s versions %s, and the version of uses: %q cannot be told (a branch, or a commit no tag names); pin to the commit of a release tag", a.id, a.summary, r.pkg, r.vrange, u.at.value))
				}
				continue
			}
			in, known := inRange(ver, r.vrange)
			if !known || !in {
				continue
			}
			fix := "upgrade to a version the advisory does not list"
			if r.patched != "" {
				fix = "upgrade to " + r.patched + " or later"
			}
			ids := a.id
			if a.cve != "" {
				ids += ", " + a.cve
			}
			rep.report(advisorySeverity(a.severity), u.at.pos, a.id+":"+u.at.value, fmt.Sprintf("uses: %q is %s, which %s (%s) lists as vulnerable (%s): %s; %s", u.at.value, verName, r.pkg, ids, r.vrange, a.summary, fix))
		}
	}
	return nil
}

// actionVersion finds the release version a uses: runs: its tag, or for a
// SHA pin the newest tag pointing at the commit (the version comment is
// trusted only when its tag points there). verName is "" when unknown.
func actionVersion(ctx context.Context, c *ghClient, u usesRef) (version, string, error) {
	if !u.ref.pinned() {
		v, ok := parseRelease(u.ref.ref)
		if ok {
			return v, u.ref.ref, nil
		}
		return version{}, "", nil
	}
	tags, err := c.tags(ctx, u.ref.owner, u.ref.repo)
	if err != nil {
		return version{}, "", ignoreMissing(err)
	}
	if u.comment != "" && strings.EqualFold(tags[u.comment], u.ref.ref) {
		if v, ok := parseRelease(u.comment); ok {
			return v, u.comment, nil
		}
	}
	if t := newestTag(tags, u.ref.ref); t != "" {
		if v, ok := parseRelease(t); ok {
			return v, t, nil
		}
	}
	return version{}, "", nil
}

// advisorySeverity maps an advisory's severity to a finding's.
func advisorySeverity(s string) finding.Severity {
	switch strings.ToLower(s) {
	case "critical":
		return finding.Critical
	case "high":
		return finding.High
	case "low":
		return finding.Low
	}
	return finding.Medium
}
