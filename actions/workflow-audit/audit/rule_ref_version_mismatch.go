package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// refVersionMismatchRule reports SHA pins whose "# vX" comment names a
// tag that points at another commit (online): the comment is what
// reviewers and update bots read, so the pin runs something else than
// they think.
type refVersionMismatchRule struct{}

func (refVersionMismatchRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleRefVersionMismatch,
		Severity: finding.Medium,
		Summary:  "The version comment of a SHA pin does not match the commit (online)",
		Help: "\"uses: owner/repo@<sha> # v4.2.2\" tells reviewers and Dependabot that the commit is v4.2.2. When " +
			"the tag v4.2.2 points at another commit (a hand-edited pin, a moved tag, a commit slipped in behind " +
			"a familiar version), the workflow runs something nobody reviewed under that name. Set the comment to " +
			"the tag the commit really is, or the SHA to the commit the tag names. Needs github-token.",
		HelpURI: helpBase + RuleRefVersionMismatch,
	}
}

func (refVersionMismatchRule) worst() finding.Severity { return finding.Medium }

func (refVersionMismatchRule) checkOnline(ctx context.Context, c *ghClient, u usesRef, rep *reporter) error {
	if !u.ref.pinned() || u.comment == "" {
		return nil
	}
	owner, repo := u.ref.owner, u.ref.repo
	tagged, err := c.tagCommit(ctx, owner, repo, u.comment)
	switch {
	case errors.Is(err, errNotFound):
		// "# 4.2.2" may stand for the tag "v4.2.2", and the reverse.
		alt := "v" + u.comment
		if strings.HasPrefix(u.comment, "v") {
			alt = strings.TrimPrefix(u.comment, "v")
		}
		tagged, err = c.tagCommit(ctx, owner, repo, alt)
		if errors.Is(err, errNotFound) {
			rep.report(finding.Medium, u.at.pos, "mismatch:"+u.at.value, fmt.Sprintf("uses: %q says %s in its comment, but %s/%s has no such tag; set the comment to the tag the commit is", u.at.value, u.comment, owner, repo))
			return nil
		}
	}
	if err != nil {
		return ignoreMissing(err)
	}
	if !strings.EqualFold(tagged, u.ref.ref) {
		actual := ""
		if tags, err := c.tags(ctx, owner, repo); err == nil {
			if t := newestTag(tags, u.ref.ref); t != "" {
				actual = " (the commit is " + t + ")"
			}
		}
		rep.report(finding.Medium, u.at.pos, "mismatch:"+u.at.value, fmt.Sprintf("uses: %q says %s in its comment, but tag %s of %s/%s is commit %s%s; make the SHA and the comment agree", u.at.value, u.comment, u.comment, owner, repo, tagged, actual))
	}
	return nil
}

// ignoreMissing drops errNotFound: a missing repository is
// archived-uses' and impostor-commit's to report.
func ignoreMissing(err error) error {
	if errors.Is(err, errNotFound) {
		return nil
	}
	return err
}
