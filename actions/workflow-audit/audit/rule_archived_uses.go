package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// archivedUsesRule reports actions from archived repositories (online):
// nobody fixes them any more, security fixes included.
type archivedUsesRule struct{}

func (archivedUsesRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleArchivedUses,
		Severity: finding.Medium,
		Summary:  "Action from an archived, renamed or missing repository (online)",
		Help: "An archived repository gets no more fixes, security fixes included. A renamed one is reached " +
			"through a redirect, and its old name can be registered by someone else, who then serves the " +
			"workflow. Move to a maintained action (or vendor the code), and use the repository's current " +
			"name. Needs github-token; a repository the token cannot see is reported with the pedantic persona.",
		HelpURI: helpBase + RuleArchivedUses,
	}
}

func (archivedUsesRule) worst() finding.Severity { return finding.Medium }

func (archivedUsesRule) checkOnline(ctx context.Context, c *ghClient, u usesRef, rep *reporter) error {
	owner, repo := u.ref.owner, u.ref.repo
	info, err := c.repo(ctx, owner, repo)
	switch {
	case errors.Is(err, errNotFound):
		if rep.wants(PersonaPedantic) {
			rep.report(finding.Medium, u.at.pos, "missing:"+u.ref.repository(), fmt.Sprintf("repository %s of uses: %q does not exist or the token cannot see it; if it was deleted, anyone can register the name and serve this workflow", u.ref.repository(), u.at.value))
		}
		return nil
	case err != nil:
		return err
	case info.archived:
		rep.report(finding.Medium, u.at.pos, "archived:"+u.ref.repository(), fmt.Sprintf("uses: %q comes from %s, an archived repository that gets no more fixes; move to a maintained action", u.at.value, info.fullName))
	case info.fullName != "" && !strings.EqualFold(info.fullName, u.ref.repository()):
		rep.report(finding.Low, u.at.pos, "renamed:"+u.ref.repository(), fmt.Sprintf("uses: %q names %s, which is now %s: the old name is only a redirect and can be registered by someone else; write %s", u.at.value, u.ref.repository(), info.fullName, info.fullName))
	}
	return nil
}
