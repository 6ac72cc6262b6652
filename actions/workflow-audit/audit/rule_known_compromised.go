package audit

import (
	"fmt"

	"github.com/hubgates/hub/shared/finding"
)

// knownCompromisedRule reports uses: of action commits and tags known to
// have been taken over by an attacker, from the embedded advisory list
// (advisories.json).
type knownCompromisedRule struct{}

func (knownCompromisedRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleKnownCompromised,
		Severity: finding.Critical,
		Summary:  "Action commit or tag known to have been compromised",
		Help: "The referenced commit, or the tag, was taken over by an attacker and served code that steals " +
			"the secrets of every job that ran it (tj-actions/changed-files CVE-2025-30066, reviewdog/action-setup " +
			"CVE-2025-30154, aquasecurity/trivy-action and setup-trivy CVE-2026-33634). Pin the action to the " +
			"full commit SHA of a release outside the advisory, or drop it, and treat every secret the workflow " +
			"could read as exposed if it ran during the advisory's window: rotate them. The list is embedded " +
			"in the gate and dated; a newer gate release carries newer advisories.",
		HelpURI: helpBase + RuleKnownCompromised,
	}
}

func (r knownCompromisedRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	for _, j := range wf.jobs {
		if j.uses != nil {
			r.check(*j.uses, rep)
		}
		for _, st := range j.steps {
			if st.uses != nil {
				r.check(*st.uses, rep)
			}
		}
	}
}

func (r knownCompromisedRule) checkAction(a *actionFile, rep *reporter) {
	for _, st := range a.steps {
		if st.uses != nil {
			r.check(*st.uses, rep)
		}
	}
}

func (knownCompromisedRule) check(u scalar, rep *reporter) {
	a, ok := parseActionRef(u.value)
	if !ok {
		return
	}
	for _, m := range advisories.lookup(a) {
		adv := m.adv
		advice := "pin it to the full commit SHA of a release outside the advisory"
		if adv.Fixed != "" {
			advice += " (safe: " + adv.Fixed + ")"
		}
		advice += ", and if it ran in that window (" + adv.Window + ") rotate every secret the job could read"
		key := adv.ID + ":" + u.value
		switch {
		case m.commit != nil:
			what := "a malicious commit"
			if m.commit.Tag != "" {
				what += " (served as " + m.commit.Tag + ")"
			}
			rep.report(finding.Critical, u.pos, key, fmt.Sprintf("action %q is pinned to %s of %s (%s): %s; %s", u.value, what, adv.Action, adv.ids(), adv.Summary, advice))
		case m.tag != "":
			rep.report(finding.Critical, u.pos, key, fmt.Sprintf("action %q uses tag %s, which an attacker moved to malicious code (%s): %s; %s", u.value, m.tag, adv.ids(), adv.Summary, advice))
		case m.dependent:
			rep.report(finding.Low, u.pos, key, fmt.Sprintf("action %q loads %s by a moving tag, so whatever version of it is pinned it ran the compromised code in %s (%s); if a run used it then, rotate the secrets it could read, and prefer a release that pins %s to a commit SHA", u.value, adv.Action, adv.Window, adv.ids(), adv.Action))
		}
	}
}
