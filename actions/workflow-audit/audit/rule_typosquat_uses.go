package audit

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/agnivade/levenshtein"

	"github.com/hubgates/hub/shared/finding"
)

// typosquatUsesRule reports uses: of repositories whose name is one typo
// away from a popular action's ("actons/checkout", "action/checkout"):
// names like these are registered to catch mistyped workflows.
type typosquatUsesRule struct{}

func (typosquatUsesRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleTyposquatUses,
		Severity: finding.High,
		Summary:  "Action whose name is one typo away from a popular action",
		Help: "Attackers register repositories named like popular actions with a letter dropped, doubled, swapped " +
			"or replaced (actons/checkout, action/checkout, actions/chekout), so a mistyped uses: runs their code " +
			"with the job's token and secrets. Check the spelling against the action you meant and pin it to a " +
			"commit of the real repository. The list of popular actions is embedded in the gate " +
			"(audit/popular-actions.txt); an owner's own repositories are never compared with each other.",
		HelpURI: helpBase + RuleTyposquatUses,
	}
}

//go:embed popular-actions.txt
var popularActionsTxt string

// popularActions are "owner/repo" names, lower case.
var popularActions = func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(popularActionsTxt, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[strings.ToLower(l)] = true
		}
	}
	return m
}()

// typosquatOf returns the popular action repo resembles, or "": at most
// one edit away (two for names of 16 or more characters), or the same
// words in another order, and not by the same owner.
func typosquatOf(repo string) string {
	if popularActions[repo] {
		return ""
	}
	if v, ok := typosquatCache.Load(repo); ok {
		return v.(string)
	}
	best := typosquatSearch(repo)
	typosquatCache.Store(repo, best)
	return best
}

// typosquatCache remembers typosquatOf's answers for the process: the
// same few actions are named in most workflows.
var typosquatCache sync.Map

func typosquatSearch(repo string) string {
	owner, _, _ := strings.Cut(repo, "/")
	best, bestD := "", 3
	for p := range popularActions {
		pOwner, _, _ := strings.Cut(p, "/")
		if pOwner == owner {
			continue
		}
		limit := 1
		if len(p) >= 16 {
			limit = 2
		}
		if sameWords(repo, p) && (best == "" || bestD > 1) {
			best, bestD = p, 1
		}
		if diff := len(repo) - len(p); diff > limit || -diff > limit {
			continue // an edit distance is at least the length difference
		}
		if d := levenshtein.ComputeDistance(repo, p); d <= limit && (d < bestD || d == bestD && p < best) {
			best, bestD = p, d
		}
	}
	return best
}

// sameWords reports two names made of the same words in another order
// (checkout-action vs action-checkout), across "-", "_" and "/".
func sameWords(a, b string) bool {
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == '/' })
	}
	wa, wb := split(a), split(b)
	if len(wa) != len(wb) || len(wa) < 2 || a == b {
		return false
	}
	count := map[string]int{}
	for _, w := range wa {
		count[w]++
	}
	for _, w := range wb {
		count[w]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

func (r typosquatUsesRule) checkWorkflow(wf *workflowFile, rep *reporter) {
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

func (r typosquatUsesRule) checkAction(a *actionFile, rep *reporter) {
	for _, st := range a.steps {
		if st.uses != nil {
			r.check(*st.uses, rep)
		}
	}
}

func (typosquatUsesRule) check(u scalar, rep *reporter) {
	a, ok := parseActionRef(u.value)
	if !ok {
		return
	}
	if p := typosquatOf(a.repository()); p != "" {
		rep.report(finding.High, u.pos, "typosquat:"+a.repository(), fmt.Sprintf("uses: %q names %s, one typo away from the popular action %s; if you meant %s, fix the name and pin it to a commit of that repository", u.value, a.repository(), p, p))
	}
}
