package audit

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// forbiddenUsesRule reports uses: of actions and reusable workflows the
// forbidden-uses input names. With no patterns it reports nothing.
type forbiddenUsesRule struct{}

func (forbiddenUsesRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleForbiddenUses,
		Severity: finding.High,
		Summary:  "Action or reusable workflow the organisation has forbidden",
		Help: "The forbidden-uses input lists patterns of actions that must not run: \"owner/*\" for a whole owner, " +
			"\"owner/repo\" for a repository (any path in it), \"owner/repo/path\", and \"owner/repo@ref\" for one " +
			"ref; \"*\" matches within one component. A pattern starting with \"!\" allows what an earlier pattern " +
			"forbade (\"*/*\" then \"!actions/*\" allows only GitHub's own actions). Replace the action with an " +
			"allowed one, or change the policy. Nothing is reported while the input is empty.",
		HelpURI: helpBase + RuleForbiddenUses,
	}
}

// ErrInvalidUsesPattern is wrapped by the error Options.Validate returns
// for a malformed forbidden-uses pattern.
var ErrInvalidUsesPattern = errors.New("invalid forbidden-uses pattern")

// usesPattern is one parsed forbidden-uses entry.
type usesPattern struct {
	allow bool
	name  string // owner/repo[/path], lower case, may hold *
	ref   string // "" matches any ref
}

// parseUsesPatterns checks and parses forbidden-uses entries.
func parseUsesPatterns(entries []string) ([]usesPattern, error) {
	var out []usesPattern
	var errs []error
	for _, e := range entries {
		p := usesPattern{}
		s := strings.TrimSpace(e)
		if rest, ok := strings.CutPrefix(s, "!"); ok {
			p.allow, s = true, rest
		}
		name, ref, _ := strings.Cut(s, "@")
		p.name, p.ref = strings.ToLower(name), ref
		owner, repo, _ := strings.Cut(p.name, "/")
		_, err := path.Match(p.name, "x")
		if owner == "" || repo == "" || err != nil || strings.ContainsAny(s, " \t") {
			errs = append(errs, fmt.Errorf("%w %q: want owner/*, owner/repo, owner/repo/path or owner/repo@ref", ErrInvalidUsesPattern, e))
			continue
		}
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

// matches reports whether the pattern covers the action (lower-case
// owner/repo[/path]) at ref.
func (p usesPattern) matches(name, ref string) bool {
	if p.ref != "" && p.ref != ref {
		return false
	}
	segs := strings.Split(name, "/")
	psegs := strings.Split(p.name, "/")
	if len(psegs) > len(segs) {
		return false
	}
	// owner/* and owner/repo cover every path inside the repository.
	for i, ps := range psegs {
		if ok, _ := path.Match(ps, segs[i]); !ok {
			return false
		}
	}
	return len(psegs) <= 2 || len(psegs) == len(segs)
}

// forbidden returns the pattern that forbids the action, or "".
func forbidden(patterns []usesPattern, name, ref string) string {
	verdict := ""
	for _, p := range patterns {
		if p.matches(name, ref) {
			if p.allow {
				verdict = ""
			} else {
				verdict = p.name
				if p.ref != "" {
					verdict += "@" + p.ref
				}
			}
		}
	}
	return verdict
}

func (r forbiddenUsesRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if len(rep.ctx.forbidden) == 0 {
		return
	}
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

func (r forbiddenUsesRule) checkAction(a *actionFile, rep *reporter) {
	if len(rep.ctx.forbidden) == 0 {
		return
	}
	for _, st := range a.steps {
		if st.uses != nil {
			r.check(*st.uses, rep)
		}
	}
}

func (forbiddenUsesRule) check(u scalar, rep *reporter) {
	a, ok := parseActionRef(u.value)
	if !ok {
		return
	}
	if p := forbidden(rep.ctx.forbidden, a.name(), a.ref); p != "" {
		rep.report(finding.High, u.pos, "forbidden:"+u.value, fmt.Sprintf("uses: %q is forbidden by the forbidden-uses pattern %q; use an allowed action instead", u.value, p))
	}
}
