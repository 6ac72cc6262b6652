package audit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/hubgates/hub/shared/finding"
)

// undocumentedPermissionsRule reports write permissions that carry no
// comment saying why they are needed: a reviewer cannot tell a needed
// scope from a forgotten one, and nobody dares remove it later.
type undocumentedPermissionsRule struct{}

func (undocumentedPermissionsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleUndocumentedPermissions,
		Severity: finding.Low,
		Summary:  "Write permission without a comment saying what needs it",
		Help: "Say next to each write scope which step uses it, e.g. \"contents: write # push the release tag\" or " +
			"a comment on the line above, so a reviewer can check the grant and drop it when that step goes. " +
			"Reported with the pedantic persona.",
		HelpURI: helpBase + RuleUndocumentedPermissions,
	}
}

func (r undocumentedPermissionsRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if !rep.wants(PersonaPedantic) || wf.ast == nil {
		return
	}
	lines := strings.Split(string(wf.src), "\n")
	r.check(wf.ast.Permissions, "the workflow", lines, rep)
	for _, j := range wf.jobs {
		if j.ast != nil {
			r.check(j.ast.Permissions, fmt.Sprintf("job %q", j.id.value), lines, rep)
		}
	}
}

func (undocumentedPermissionsRule) check(p *actionlint.Permissions, where string, lines []string, rep *reporter) {
	if p == nil {
		return
	}
	type grant struct {
		name string
		val  *actionlint.String
	}
	var gs []grant
	if p.All != nil && strings.EqualFold(p.All.Value, "write-all") {
		gs = append(gs, grant{"write-all", p.All})
	}
	for name, s := range p.Scopes {
		if s != nil && s.Value != nil && strings.EqualFold(strings.TrimSpace(s.Value.Value), "write") {
			gs = append(gs, grant{name, s.Value})
		}
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].name < gs[j].name })
	for _, g := range gs {
		at := scalarOrEmpty(g.val).pos
		if documented(lines, at.line) {
			continue
		}
		rep.report(finding.Low, at, "undocumented:"+where+":"+g.name, fmt.Sprintf("%s grants %s without a comment saying which step needs it; add one (\"%s: write # <what uses it>\") so the grant can be reviewed and removed with that step", where, g.name, g.name))
	}
}

// documented reports whether 1-based line, or the line above it, holds a
// comment.
func documented(lines []string, line int) bool {
	if line < 1 || line > len(lines) {
		return true
	}
	if strings.Contains(lines[line-1], " #") {
		return true
	}
	return line >= 2 && strings.HasPrefix(strings.TrimSpace(lines[line-2]), "#")
}
