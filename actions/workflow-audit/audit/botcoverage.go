package audit

import (
	"path"
	"slices"
	"strings"
)

// botScope is what the coverage rules compare a dependency bot's
// configuration with: the files the scan read and which of them name
// actions of other repositories (what a github-actions update changes).
type botScope struct {
	files  []File
	usesIn map[string]bool
}

// covered returns the workflows and actions under base (a repository
// folder, "" for the root) that name actions of other repositories.
func (sc *botScope) covered(base string) (workflows, actions []string) {
	for _, f := range sc.files {
		if !sc.usesIn[f.Path] || !under(base, f.Path) {
			continue
		}
		switch f.Kind {
		case KindWorkflow:
			workflows = append(workflows, f.Path)
		case KindAction:
			actions = append(actions, f.Path)
		}
	}
	return workflows, actions
}

func under(base, p string) bool {
	return base == "" || strings.HasPrefix(p, base+"/")
}

// botBase is the folder a bot configuration at p speaks for: the parent
// of its .github folder (or the folder of a root renovate.json).
func botBase(p string) string {
	dir := path.Dir(p)
	if path.Base(dir) == ".github" || path.Base(dir) == ".gitlab" {
		dir = path.Dir(dir)
	}
	if dir == "." {
		return ""
	}
	return dir
}

// checkCoverage runs the rules that compare the dependency bots'
// configurations with the files found.
func (s *scanner) checkCoverage() {
	if len(s.bots) == 0 {
		return
	}
	sc := &botScope{files: s.files, usesIn: map[string]bool{}}
	for _, u := range s.uses {
		sc.usesIn[u.path] = true
	}
	slices.SortFunc(sc.files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	for _, bot := range s.bots {
		var p string
		switch b := bot.(type) {
		case *dependabotFile:
			p = b.path
		case *renovateFile:
			p = b.path
		}
		for _, r := range ruleSet {
			if c, ok := r.(coverageChecker); ok {
				c.checkCoverage(bot, sc, &reporter{rule: r.meta(), path: p, ctx: s.check, out: &s.found})
			}
		}
	}
}
