package audit

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/hubgates/hub/shared/finding"
)

// impostorCommitRule reports uses: pinned to a commit that is not in the
// named repository's history (online). GitHub serves a fork's commits
// under the parent's name, so owner/repo@<sha> can run code the owner
// never merged.
type impostorCommitRule struct{}

func (impostorCommitRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleImpostorCommit,
		Severity: finding.Critical,
		Summary:  "Pinned commit is not in the named repository's history (online)",
		Help: "A repository and its forks share one pool of commits on GitHub, so \"owner/repo@<sha>\" resolves " +
			"even when the commit exists only in someone's fork: a full SHA pin can still point at code the " +
			"owner never merged (an \"impostor commit\"). The rule checks that the commit is the tip of a branch " +
			"or tag, or in the history of the default branch, another branch or a tag. Pin to the commit a " +
			"release tag of the real repository points at. Needs github-token.",
		HelpURI: helpBase + RuleImpostorCommit,
	}
}

func (impostorCommitRule) worst() finding.Severity { return finding.Critical }

// maxCompares bounds the branches and tags compared with one commit.
const maxCompares = 20

func (impostorCommitRule) checkOnline(ctx context.Context, c *ghClient, u usesRef, rep *reporter) error {
	if !u.ref.pinned() {
		return nil
	}
	owner, repo, sha := u.ref.owner, u.ref.repo, u.ref.ref
	ok, err := inHistory(ctx, c, owner, repo, sha)
	if errors.Is(err, errNotFound) {
		rep.report(finding.Critical, u.at.pos, "impostor:"+u.at.value, fmt.Sprintf("uses: %q is pinned to a commit %s/%s does not have: GitHub cannot find it there, so it is in no branch or tag of the repository; pin to the commit of one of its release tags", u.at.value, owner, repo))
		return nil
	}
	if err != nil {
		return err
	}
	if !ok {
		rep.report(finding.Critical, u.at.pos, "impostor:"+u.at.value, fmt.Sprintf("uses: %q is pinned to a commit that is in no branch or tag of %s/%s: GitHub serves it under that name because it exists in a fork, so it is code the owner never merged (an impostor commit); pin to the commit of one of its release tags", u.at.value, owner, repo))
	}
	return nil
}

// inHistory reports whether commit sha belongs to owner/repo: the tip of
// a tag or branch, or reachable from the default branch, another branch
// or a tag. errNotFound means the API knows no such commit there.
func inHistory(ctx context.Context, c *ghClient, owner, repo, sha string) (bool, error) {
	tags, err := c.tags(ctx, owner, repo)
	if err != nil {
		return false, err
	}
	if tipOf(tags, sha) {
		return true, nil
	}
	branches, err := c.branches(ctx, owner, repo)
	if err != nil {
		return false, err
	}
	if tipOf(branches, sha) {
		return true, nil
	}
	info, err := c.repo(ctx, owner, repo)
	if err != nil {
		return false, err
	}
	var refs []string
	if info.defaultBranch != "" {
		refs = append(refs, info.defaultBranch)
	}
	for _, set := range []refTips{branches, tags} {
		names := make([]string, 0, len(set))
		for n := range set {
			if n != info.defaultBranch {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		refs = append(refs, names...)
	}
	for i, ref := range refs {
		if i >= maxCompares {
			break
		}
		in, err := c.contains(ctx, owner, repo, ref, sha)
		if err != nil {
			return false, err
		}
		if in {
			return true, nil
		}
	}
	return false, nil
}
