package audit

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// unpinnedUsesRule reports "uses:" references to other repositories that
// are not pinned to a full commit SHA.
type unpinnedUsesRule struct{}

func (unpinnedUsesRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleUnpinnedUses,
		Severity: finding.High,
		Summary:  "Action or reusable workflow not pinned to a full commit SHA",
		Help: "Tags and branches can be moved to other code by whoever controls the repository, and short SHAs " +
			"are not pins. Pin every action and reusable workflow from another repository to its full " +
			"40-character commit SHA and keep the version as a comment, e.g. " +
			"\"uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\"; let Dependabot or " +
			"Renovate update the SHA and the comment together.",
		HelpURI: helpBase + RuleUnpinnedUses,
	}
}

var (
	fullSHARe  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	upperSHARe = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)
	shortSHARe = regexp.MustCompile(`^[0-9a-fA-F]{7,39}$`)
)

func containsExpression(s string) bool { return strings.Contains(s, "${{") }

func (r unpinnedUsesRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	for _, j := range wf.jobs {
		if j.uses != nil {
			r.check(*j.uses, "reusable workflow", rep)
		}
		for _, st := range j.steps {
			if st.uses != nil {
				r.check(*st.uses, "action", rep)
			}
		}
	}
}

func (r unpinnedUsesRule) checkAction(a *actionFile, rep *reporter) {
	for _, st := range a.steps {
		if st.uses != nil {
			r.check(*st.uses, "action", rep)
		}
	}
}

func (r unpinnedUsesRule) check(u scalar, what string, rep *reporter) {
	v := u.value
	sev := r.meta().Severity
	if strings.HasPrefix(v, "./") || strings.HasPrefix(v, "docker://") {
		return // local, or the image rule's
	}
	if containsExpression(v) {
		rep.report(sev, u.pos, v, fmt.Sprintf("%s %q is an expression, which GitHub does not evaluate in \"uses:\" and which cannot be checked for a pin; write a literal \"owner/repo@<full commit SHA>\"", what, v))
		return
	}
	name, ref, hasRef := strings.Cut(v, "@")
	owner, rest, _ := strings.Cut(name, "/")
	repo, _, _ := strings.Cut(rest, "/")
	if owner == "" || repo == "" || strings.ContainsAny(name, " \t") {
		rep.report(sev, u.pos, v, fmt.Sprintf("%s %q is neither an \"owner/repo[/path]@ref\" reference nor a \"./local\" path; use \"owner/repo@<full commit SHA>\"", what, v))
		return
	}
	if rep.ctx.allow.allows(owner, repo) {
		return
	}
	switch {
	case !hasRef || ref == "":
		rep.report(sev, u.pos, v, fmt.Sprintf("%s %q has no @ref, so it is not pinned (and GitHub rejects it); pin it to the full 40-character commit SHA with the tag as a comment (%s@<sha> # <tag>)", what, v, name))
	case fullSHARe.MatchString(ref):
		// pinned
	case upperSHARe.MatchString(ref):
		rep.report(sev, u.pos, v, fmt.Sprintf("%s %q writes its commit SHA in upper case; write the full 40-character commit SHA in lower case", what, v))
	case shortSHARe.MatchString(ref):
		rep.report(sev, u.pos, v, fmt.Sprintf("%s %q is pinned to a short SHA (%d hex digits), which is not a pin; use the full 40-character commit SHA with the tag as a comment (%s@<sha> # <tag>)", what, v, len(ref), name))
	default:
		rep.report(sev, u.pos, v, fmt.Sprintf("%s %q is not pinned to a commit: %q is a tag or branch that can be moved; pin it to the full 40-character commit SHA with the tag as a comment (%s@<sha> # %s)", what, v, ref, name, ref))
	}
}
