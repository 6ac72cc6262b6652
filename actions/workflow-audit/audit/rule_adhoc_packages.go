package audit

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/finding"
)

// adhocPackagesRule reports packages installed by name in a run: script,
// outside any lock file: the newest release of each, and of everything it
// depends on, is fetched and run, unreviewed and unpinned.
type adhocPackagesRule struct{}

func (adhocPackagesRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleAdhocPackages,
		Severity: finding.Low,
		Summary:  "Package installed by name outside a lock file",
		Help: "\"gem install rake\" fetches the newest rake and its dependencies from the index at run time, " +
			"outside the project's lock file and its review, so a hijacked release runs in the job at once. " +
			"Declare tools in the lock file (Gemfile.lock, requirements with hashes, package-lock.json) and " +
			"install from it (bundle install, pip install -r --require-hashes, npm ci), or pin the exact version " +
			"(gem install rake -v 13.2.1). gem install is reported by default, as zizmor does; pip install, " +
			"npm install -g and cargo install without --locked with the pedantic persona.",
		HelpURI: helpBase + RuleAdhocPackages,
	}
}

func (r adhocPackagesRule) checkWorkflow(wf *workflowFile, rep *reporter) { r.check(wf, rep) }
func (r adhocPackagesRule) checkAction(a *actionFile, rep *reporter)      { r.check(a, rep) }

func (adhocPackagesRule) check(m any, rep *reporter) {
	for _, s := range allSteps(m) {
		sv := s.sv
		if sv.run == nil || !strings.Contains(sv.run.value, "install") {
			continue
		}
		for _, c := range sv.commands() {
			pkg, pedantic := adhocInstall(c.words())
			if pkg == "" || pedantic && !rep.wants(PersonaPedantic) {
				continue
			}
			rep.report(finding.Low, s.ix.locate(sv.run, c.off), "adhoc:"+c.text, fmt.Sprintf("command %s installs %s by name, outside any lock file, so whatever was released last runs in the job; install it from the project's lock file, or pin its exact version", quoteCmd(c.text), pkg))
		}
	}
}

// adhocInstall returns the first package a command installs by name, and
// whether only the pedantic persona reports it.
func adhocInstall(ws []string) (pkg string, pedantic bool) {
	if len(ws) < 3 {
		return "", false
	}
	prog := strings.ToLower(strings.Trim(ws[0], `"'`))
	args := ws[1:]
	first := func(from int, skipValue map[string]bool) string {
		for i := from; i < len(args); i++ {
			a := args[i]
			switch {
			case skipValue[a]:
				i++
			case strings.HasPrefix(a, "-"):
			default:
				return a
			}
		}
		return ""
	}
	sub := first(0, nil)
	subAt := -1
	for i, a := range args {
		if a == sub {
			subAt = i
			break
		}
	}
	if subAt < 0 {
		return "", false
	}
	switch prog {
	case "gem":
		if sub == "install" {
			return first(subAt+1, map[string]bool{"-v": true, "--version": true, "-i": true, "--install-dir": true}), false
		}
	case "pip", "pip3", "python", "python3":
		if prog == "python" || prog == "python3" {
			return "", false
		}
		if sub != "install" {
			return "", false
		}
		for _, a := range args {
			if a == "-r" || a == "--requirement" || a == "-e" || a == "--editable" || strings.HasPrefix(a, "--require-hashes") {
				return "", false
			}
		}
		p := first(subAt+1, map[string]bool{"-c": true, "--constraint": true, "-i": true, "--index-url": true, "--extra-index-url": true, "-t": true, "--target": true})
		if p == "" || p == "." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "/") || strings.HasSuffix(p, ".whl") || strings.Contains(p, "==") || strings.ContainsAny(p, "$") {
			return "", false
		}
		return p, true
	case "npm":
		global := false
		for _, a := range args {
			global = global || a == "-g" || a == "--global"
		}
		if (sub == "install" || sub == "i") && global {
			p := first(subAt+1, nil)
			if p != "" && !strings.Contains(strings.TrimPrefix(p, "@"), "@") {
				return p, true
			}
		}
	case "cargo":
		if sub == "install" {
			for _, a := range args {
				if a == "--locked" || a == "--version" || strings.HasPrefix(a, "--version=") || a == "--path" {
					return "", false
				}
			}
			p := first(subAt+1, map[string]bool{"--git": true, "--root": true, "--target": true, "--features": true, "-F": true})
			if p != "" && !strings.Contains(p, "@") {
				return p, true
			}
		}
	}
	return "", false
}
