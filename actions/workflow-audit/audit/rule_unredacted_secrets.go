package audit

import (
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/finding"
)

// unredactedSecretsRule reports fields read out of a secret with
// fromJSON(secrets.X).field: the runner masks each secret's whole value
// in the logs, not the parts an expression derives from it, so the field
// is printed in clear wherever it appears.
type unredactedSecretsRule struct{}

func (unredactedSecretsRule) meta() finding.Rule {
	return finding.Rule{
		ID:       RuleUnredactedSecrets,
		Severity: finding.Medium,
		Summary:  "Part of a secret read with fromJSON, which the log does not mask",
		Help: "GitHub masks a secret's exact value in logs. A value derived from it, such as " +
			"fromJSON(secrets.CONFIG).password, is a new string the runner does not know, so it appears in " +
			"clear in any log line that prints it. Store each value as its own secret (secrets.CONFIG_PASSWORD), " +
			"or mask the derived value first (echo \"::add-mask::$VALUE\") before anything can print it.",
		HelpURI: helpBase + RuleUnredactedSecrets,
	}
}

// fromJSONSecretRe finds fromJSON(secrets.X) (or secrets['X']) followed by
// a property or index access.
var fromJSONSecretRe = regexp.MustCompile(`(?i)fromJSON\(\s*secrets(?:\.[A-Za-z0-9_-]+|\[\s*'[^']*'\s*\])\s*\)\s*(?:\.|\[)`)

func (r unredactedSecretsRule) checkWorkflow(wf *workflowFile, rep *reporter) {
	// The YAML tree is parsed only for files that hold such an
	// expression at all.
	if indexFold(wf.src, "fromjson", 0) < 0 || !fromJSONSecretRe.Match(wf.src) {
		return
	}
	r.walk(wf.rawRoot(), rep)
}

func (r unredactedSecretsRule) checkAction(a *actionFile, rep *reporter) {
	if a.root == nil || indexFold(a.src, "fromjson", 0) < 0 {
		return
	}
	r.walk(a.root, rep)
}

func (unredactedSecretsRule) walk(root *yaml.Node, rep *reporter) {
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		n = deref(n)
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		if n.Kind == yaml.ScalarNode {
			for _, e := range findExprs(n.Value) {
				if m := fromJSONSecretRe.FindString(e.text); m != "" {
					rep.report(finding.Medium, nodePos(n), "fromjson:"+e.text, fmt.Sprintf("expression %s reads a field out of a secret; the runner masks only the secret's whole value, so this field is printed in clear wherever it appears: store it as a secret of its own, or mask it (::add-mask::) before use", e.text))
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
