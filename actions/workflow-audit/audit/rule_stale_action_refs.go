package audit

import (
	"context"
	"fmt"

	"github.com/hubgates/hub/shared/finding"
)

// staleActionRefsRule reports SHA pins to commits that no tag points at
// (online, pedantic): an unreleased commit, which no release notes,
// advisory or update bot describe.
type staleActionRefsRule struct{}

func (staleActionRefsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleStaleActionRefs,
		Severity: finding.Low,
		Summary:  "Pinned commit is not a release: no tag points at it (online)",
		Help: "A SHA pin to a commit between releases runs code no release note, advisory range or Dependabot " +
			"update describes, and it is easy to pin to by mistake (the tip of a branch on the day). Pin to the " +
			"commit of a release tag and keep the tag as a comment. Needs github-token; reported with the " +
			"pedantic persona.",
		HelpURI: helpBase + RuleStaleActionRefs,
	}
}

func (staleActionRefsRule) worst() finding.Severity { return finding.Low }

func (staleActionRefsRule) checkOnline(ctx context.Context, c *ghClient, u usesRef, rep *reporter) error {
	if !rep.wants(PersonaPedantic) || !u.ref.pinned() {
		return nil
	}
	tags, err := c.tags(ctx, u.ref.owner, u.ref.repo)
	if err != nil {
		return ignoreMissing(err)
	}
	if len(tags) == 0 || tipOf(tags, u.ref.ref) {
		return nil // a repository without tags has no releases to pin to
	}
	rep.report(finding.Low, u.at.pos, "stale:"+u.at.value, fmt.Sprintf("uses: %q is pinned to a commit no tag of %s points at, so no release describes it; pin to the commit of a release tag", u.at.value, u.ref.repository()))
	return nil
}
