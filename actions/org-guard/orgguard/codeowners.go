package orgguard

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/hubgates/hub/shared/digest"
	"github.com/hubgates/hub/shared/evidence"
	"github.com/hubgates/hub/shared/finding"
	"github.com/hubgates/hub/shared/gate"
)

// codeOwnersFiles are where GitHub looks for CODEOWNERS, in its order.
var codeOwnersFiles = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// maxCodeOwners is the largest CODEOWNERS file read; GitHub ignores files
// over 3 MB.
const maxCodeOwners = 3 << 20

// ownerRule is one line of CODEOWNERS.
type ownerRule struct {
	pattern string
	owners  []string
	line    int
}

// checkCodeOwners checks that each path the configuration lists has an
// owner in the workspace's CODEOWNERS (the last matching line wins, as on
// GitHub) and that an active ruleset on the default branch requires code
// owner review, so a change to waivers, policies or workflows cannot merge
// on an approval from someone who does not own them.
func checkCodeOwners(in *gate.Inputs, cfg string, d *Desired, rep *Report) ([]finding.Finding, []evidence.Artifact, error) {
	var fsOut []finding.Finding
	add := func(key, msg string, line int) {
		fsOut = append(fsOut, finding.Finding{Rule: RuleCodeOwners, Severity: finding.High, Message: msg, Path: cfg, Line: line,
			Fingerprint: finding.Fingerprint(RuleCodeOwners, cfg, key)})
	}
	root := in.Workspace()
	var rules []ownerRule
	var read []evidence.Artifact
	name := ""
	for _, f := range codeOwnersFiles {
		b, err := root.ReadFile(f, maxCodeOwners)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s: %w", f, err)
		}
		name, rules = f, parseCodeOwners(b)
		read = append(read, evidence.Artifact{Path: f, Digest: digest.FromBytes(digest.SHA256, b).String(), Size: int64(len(b))})
		break
	}
	for _, want := range d.CodeOwners {
		switch {
		case name == "":
			add("file:"+want.Value, fmt.Sprintf("no CODEOWNERS file (looked for %s): changes to %s need no code owner's review", strings.Join(codeOwnersFiles, ", "), want.Value), want.Line)
		default:
			r := lastMatch(rules, want.Value)
			if r == nil || len(r.owners) == 0 {
				where := "no line matches it"
				if r != nil {
					where = fmt.Sprintf("line %d (%s) matches it but names no owner", r.line, r.pattern)
				}
				add("owner:"+want.Value, fmt.Sprintf("%s has no owner in %s: %s", want.Value, name, where), want.Line)
			}
		}
	}
	if rep.rulesetsRead && len(d.CodeOwners) > 0 && !requiresCodeOwnerReview(rep.Rulesets) {
		add("ruleset", "no active branch ruleset on the default branch requires code owner review (pull_request rule, require_code_owner_review: true): CODEOWNERS alone only requests reviews", d.CodeOwners[0].Line)
	}
	return fsOut, read, nil
}

func parseCodeOwners(b []byte) []ownerRule {
	var out []ownerRule
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), maxCodeOwners)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		out = append(out, ownerRule{pattern: fields[0], owners: fields[1:], line: n})
	}
	return out
}

// lastMatch returns the last rule matching path, as GitHub reads the file.
// A path ending in "/" stands for every file under that folder.
func lastMatch(rules []ownerRule, path string) *ownerRule {
	path = strings.TrimPrefix(path, "/")
	if strings.HasSuffix(path, "/") {
		path += "any-file"
	}
	for i := len(rules) - 1; i >= 0; i-- {
		if codeOwnersMatch(rules[i].pattern, path) {
			return &rules[i]
		}
	}
	return nil
}

// codeOwnersMatch applies CODEOWNERS' gitignore-like pattern rules: a
// leading or inner "/" anchors the pattern at the root, a trailing "/"
// matches everything under a folder, and a pattern naming a folder
// covers the files in it.
func codeOwnersMatch(pattern, path string) bool {
	p := pattern
	anchored := strings.HasPrefix(p, "/") || strings.Contains(strings.TrimSuffix(p, "/"), "/")
	p = strings.TrimPrefix(p, "/")
	var pats []string
	if rest, ok := strings.CutSuffix(p, "/"); ok {
		pats = []string{rest + "/**"}
	} else {
		pats = []string{p, p + "/**"}
	}
	for _, q := range pats {
		if !anchored {
			q = "**/" + q
		}
		if ok, _ := doublestar.Match(q, path); ok {
			return true
		}
	}
	return false
}

// requiresCodeOwnerReview reports whether an active branch ruleset that
// covers the default branch requires code owner review.
func requiresCodeOwnerReview(all []apiRuleset) bool {
	for i := range all {
		r := &all[i]
		if r.Enforcement != "active" || r.Target != "branch" {
			continue
		}
		inc := conditionList(r.Conditions, "ref_name", "include")
		if !slices.Contains(inc, "~DEFAULT_BRANCH") && !slices.Contains(inc, "~ALL") {
			continue
		}
		if pr := r.rule("pull_request"); pr != nil && pr.Parameters["require_code_owner_review"] == true {
			return true
		}
	}
	return false
}
