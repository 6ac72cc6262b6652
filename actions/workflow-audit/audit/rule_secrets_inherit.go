package audit

import (
	"bytes"
	"fmt"
	"regexp"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/finding"
)

// secretsInheritRule reports reusable workflow calls that hand over every
// secret ("secrets: inherit") and expressions that expose the whole
// secrets context (toJSON(secrets), secrets[...]).
type secretsInheritRule struct{}

func (secretsInheritRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleSecretsInherit,
		Severity: finding.Medium,
		Summary:  "Every secret handed to a reusable workflow or exposed at once",
		Help: "\"secrets: inherit\" gives the called workflow every secret the caller can read, including ones " +
			"it never uses, and a compromise of the called workflow (or of its ref, when it is not pinned to a " +
			"commit SHA) leaks them all. Pass only the secrets the callee declares: \"secrets: { NPM_TOKEN: " +
			"${{ secrets.NPM_TOKEN }} }\", and pin remote callees to a full commit SHA. Likewise " +
			"\"${{ toJSON(secrets) }}\" and computed \"secrets[...]\" lookups load every secret into the job; " +
			"name each secret you need.",
		HelpURI: helpBase + RuleSecretsInherit,
	}
}

var (
	// wholeExprRe finds ${{ }} expressions.
	wholeExprRe = regexp.MustCompile(`(?s)\$\{\{.*?\}\}`)
	// allSecretsRe matches expressions that read the whole secrets
	// context: toJSON(secrets), secrets.* and a computed secrets[...] (an
	// index that is not a quoted literal).
	allSecretsRe = regexp.MustCompile(`(?i)\btoJSON\s*\(\s*secrets\s*\)|\bsecrets\s*\[\s*[^'"\s]|\bsecrets\.\*`)
)

func (r secretsInheritRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	if wf.ast == nil {
		return
	}
	for _, j := range wf.jobs {
		if j.ast == nil || j.ast.WorkflowCall == nil || !j.ast.WorkflowCall.InheritSecrets {
			continue
		}
		at := j.id.pos
		if p, ok := inheritPos(wf.src, j.id.pos.line); ok {
			at = p
		} else if _, v := wf.rawKey("jobs", j.id.value, "secrets"); v != nil {
			at = nodePos(v)
		}
		callee := ""
		if j.uses != nil {
			callee = j.uses.value
		}
		a, remote := parseActionRef(callee)
		switch {
		case remote && !a.pinned():
			rep.report(finding.High, at, "inherit:"+j.id.value, fmt.Sprintf("job %q passes every secret (\"secrets: inherit\") to %q, which is not pinned to a commit SHA, so whoever can move that ref gets them all; pin the call to a full commit SHA and pass only the secrets it declares under \"secrets:\"", j.id.value, callee))
		case remote:
			rep.report(finding.Medium, at, "inherit:"+j.id.value, fmt.Sprintf("job %q passes every secret (\"secrets: inherit\") to %q in repository %s; pass only the secrets it declares under \"secrets:\"", j.id.value, callee, a.repository()))
		default:
			rep.report(finding.Medium, at, "inherit:"+j.id.value, fmt.Sprintf("job %q passes every secret (\"secrets: inherit\") to %q; pass only the secrets it declares under \"secrets:\"", j.id.value, callee))
		}
	}
	if !mayReadAllSecrets(wf.src) {
		return // nothing below can match; skip walking the tree
	}
	root := wf.rawRoot()
	if root == nil {
		return
	}
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		n = deref(n)
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		if n.Kind == yaml.ScalarNode {
			for _, e := range wholeExprRe.FindAllString(n.Value, -1) {
				if allSecretsRe.MatchString(e) {
					rep.report(finding.Medium, nodePos(n), "all-secrets:"+e, fmt.Sprintf("expression %q reads the whole secrets context, so every secret of the repository is loaded into the job and can leak from it; name each secret the step needs (secrets.NAME)", e))
				}
			}
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
}

// mayReadAllSecrets is a cheap filter for allSecretsRe over a whole file: it
// reports whether "secrets" (any case) is ever followed, after optional
// space, by "[", ")" or ".*". A false answer means no expression in the
// file can match.
func mayReadAllSecrets(src []byte) bool {
	for i := indexFold(src, "secrets", 0); i >= 0; i = indexFold(src, "secrets", i+1) {
		rest := bytes.TrimLeft(src[i+len("secrets"):], " \t")
		if len(rest) > 0 && (rest[0] == '[' || rest[0] == ')' || bytes.HasPrefix(rest, []byte(".*"))) {
			return true
		}
	}
	return false
}

// inheritRe finds a "secrets: inherit" line.
var inheritRe = regexp.MustCompile(`(?m)^[ \t]+secrets[ \t]*:[ \t]*inherit\b`)

// inheritPos places the value of the first "secrets: inherit" at or after
// line (the job's key), found by a scan of the text instead of a second
// parse of the file.
func inheritPos(src []byte, line int) (pos, bool) {
	off := 0
	for l := 1; l < line && off < len(src); l++ {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return pos{}, false
		}
		off += i + 1
	}
	m := inheritRe.FindIndex(src[off:])
	if m == nil {
		return pos{}, false
	}
	start := off + m[0]
	val := start + bytes.LastIndex(src[start:off+m[1]], []byte("inherit"))
	lineStart := bytes.LastIndexByte(src[:val], '\n') + 1
	return pos{line + bytes.Count(src[off:val], []byte("\n")), utf8.RuneCount(src[lineStart:val]) + 1}, true
}
