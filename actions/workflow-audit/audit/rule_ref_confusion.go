package audit

import (
	"context"
	"fmt"

	"github.com/hubgates/hub/shared/finding"
)

// refConfusionRule reports uses: refs that name both a branch and a tag
// of the repository (online): which one GitHub picks is not what a
// reviewer reads, and whoever can push a branch can add the second one.
type refConfusionRule struct{}

func (refConfusionRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleRefConfusion,
		Severity: finding.Medium,
		Summary:  "uses: ref names both a branch and a tag (online)",
		Help: "\"owner/repo@v1\" can name a tag v1 or a branch v1. When both exist, anyone who can push a branch " +
			"to the repository can make \"v1\" mean their code for some tools and readers. Pin to a full commit " +
			"SHA (which this audit asks for anyway), or ask the maintainers to remove the duplicate name. Needs " +
			"github-token.",
		HelpURI: helpBase + RuleRefConfusion,
	}
}

func (refConfusionRule) worst() finding.Severity { return finding.Medium }

func (refConfusionRule) checkOnline(ctx context.Context, c *ghClient, u usesRef, rep *reporter) error {
	if u.ref.pinned() {
		return nil
	}
	owner, repo, ref := u.ref.owner, u.ref.repo, u.ref.ref
	tags, err := c.tags(ctx, owner, repo)
	if err != nil {
		return ignoreMissing(err)
	}
	if _, ok := tags[ref]; !ok {
		return nil
	}
	branches, err := c.branches(ctx, owner, repo)
	if err != nil {
		return ignoreMissing(err)
	}
	if _, ok := branches[ref]; ok {
		rep.report(finding.Medium, u.at.pos, "confusion:"+u.at.value, fmt.Sprintf("uses: %q: %q is both a tag and a branch of %s/%s, so what it runs depends on which one GitHub resolves, and whoever can push a branch can change it; pin to a full commit SHA", u.at.value, ref, owner, repo))
	}
	return nil
}
