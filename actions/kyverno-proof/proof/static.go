package proof

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubgates/hub/shared/finding"
)

// policyDoc is one Kyverno policy document as read from a file.
type policyDoc struct {
	file     string
	document int // 1-based
	node     *yaml.Node
	object   map[string]any
	name     string
	kind     string
}

// staticFindings checks how a policy is set to act.
func staticFindings(d policyDoc, allowedExcludes []string) []finding.Finding {
	var out []finding.Finding
	add := func(rule string, n *yaml.Node, key, format string, args ...any) {
		line, col := 0, 0
		if n != nil {
			line, col = n.Line, n.Column
		}
		out = append(out, finding.Finding{
			Rule: rule, Severity: severity(rule), Message: fmt.Sprintf(format, args...),
			Path: d.file, Line: line, Col: col,
			Fingerprint: finding.Fingerprint(rule, d.file, d.kind+"/"+d.name+"\x00"+key),
		})
	}
	root := d.node
	spec := get(root, "spec")
	who := fmt.Sprintf("%s %s", d.kind, d.name)

	// Fail closed: failurePolicy Fail (Kyverno's default) at either place.
	for _, fp := range []*yaml.Node{get(spec, "failurePolicy"), get(get(spec, "webhookConfiguration"), "failurePolicy")} {
		if fp != nil && !strings.EqualFold(fp.Value, "Fail") {
			add(RuleFailOpen, fp, "failurePolicy", "%s sets failurePolicy %s: when Kyverno cannot answer, the API server admits the request; set it to Fail", who, quote(fp.Value))
		}
	}
	if bg := get(spec, "background"); bg != nil && bg.Value == "false" {
		add(RuleBackgroundOff, bg, "background", "%s turns background scanning off: resources admitted before the policy, or while it was not enforced, are never reported", who)
	}
	if ad := get(spec, "admission"); ad != nil && ad.Value == "false" {
		add(RuleBackgroundOff, ad, "admission", "%s turns admission off: it never denies a request", who)
	}
	policyAction := get(spec, "validationFailureAction")
	for _, ov := range seq(get(spec, "validationFailureActionOverrides")) {
		if a := get(ov, "action"); a != nil && !isEnforce(a.Value) {
			add(RuleAuditMode, a, "override", "%s overrides its failure action to %s for namespaces %s", who, quote(a.Value), names(get(ov, "namespaces")))
		}
	}
	for _, r := range seq(get(spec, "rules")) {
		rn := ""
		if n := get(r, "name"); n != nil {
			rn = n.Value
		}
		ruleWho := fmt.Sprintf("%s rule %s", who, rn)
		validate, vis := get(r, "validate"), seq(get(r, "verifyImages"))
		if validate != nil {
			action, at := effectiveAction(get(validate, "failureAction"), policyAction)
			if !isEnforce(action) {
				add(RuleAuditMode, orNode(at, get(r, "name")), rn+"/validate", "%s validates in %s mode: a violation is reported, not denied; set failureAction: Enforce", ruleWho, action)
			}
			for _, ov := range seq(get(validate, "failureActionOverrides")) {
				if a := get(ov, "action"); a != nil && !isEnforce(a.Value) {
					add(RuleAuditMode, a, rn+"/override", "%s overrides its failure action to %s for namespaces %s", ruleWho, quote(a.Value), names(get(ov, "namespaces")))
				}
			}
		}
		for i, vi := range vis {
			action, at := effectiveAction(get(vi, "failureAction"), policyAction)
			if !isEnforce(action) {
				add(RuleAuditMode, orNode(at, vi), fmt.Sprintf("%s/verifyImages/%d", rn, i), "%s verifyImages[%d] is in %s mode: an unverified image is reported, not denied; set failureAction: Enforce", ruleWho, i, action)
			}
		}
		excludeFindings(add, ruleWho, rn, get(r, "exclude"), allowedExcludes)
	}
	return out
}

// excludeFindings reports what an exclude block lets through that the
// allowlist does not name: namespaces, users, groups, service accounts
// and roles by name; selectors always, since anyone who can label a
// namespace or a pod could then step outside the policy.
func excludeFindings(add func(rule string, n *yaml.Node, key, format string, args ...any), ruleWho, rn string, exclude *yaml.Node, allowed []string) {
	if exclude == nil {
		return
	}
	var filters []*yaml.Node
	for _, k := range []string{"any", "all"} {
		filters = append(filters, seq(get(exclude, k))...)
	}
	if get(exclude, "resources") != nil || get(exclude, "subjects") != nil || get(exclude, "roles") != nil || get(exclude, "clusterRoles") != nil {
		filters = append(filters, exclude)
	}
	for _, f := range filters {
		res := get(f, "resources")
		for _, ns := range seq(get(res, "namespaces")) {
			if !slices.Contains(allowed, ns.Value) {
				add(RuleBroadExclude, ns, rn+"/ns/"+ns.Value, "%s excludes namespace %s, which allowed-excludes does not name", ruleWho, quote(ns.Value))
			}
		}
		for _, sel := range []string{"namespaceSelector", "selector"} {
			if s := get(res, sel); s != nil {
				add(RuleBroadExclude, s, rn+"/"+sel, "%s excludes by %s: whoever can set those labels steps outside the policy", ruleWho, sel)
			}
		}
		for _, s := range seq(get(f, "subjects")) {
			name := ""
			if n := get(s, "name"); n != nil {
				name = n.Value
			}
			if ns := get(s, "namespace"); ns != nil && get(s, "kind") != nil && get(s, "kind").Value == "ServiceAccount" {
				name = "system:serviceaccount:" + ns.Value + ":" + name
			}
			if !slices.Contains(allowed, name) {
				add(RuleBroadExclude, orNode(get(s, "name"), s), rn+"/subject/"+name, "%s excludes subject %s, which allowed-excludes does not name", ruleWho, quote(name))
			}
		}
		for _, k := range []string{"roles", "clusterRoles"} {
			for _, role := range seq(get(f, k)) {
				if !slices.Contains(allowed, role.Value) {
					add(RuleBroadExclude, role, rn+"/"+k+"/"+role.Value, "%s excludes %s %s, which allowed-excludes does not name", ruleWho, strings.TrimSuffix(k, "s"), quote(role.Value))
				}
			}
		}
	}
}

// effectiveAction is a rule's failure action: its own, else the policy's
// validationFailureAction, else Kyverno's default, Audit.
func effectiveAction(rule, policy *yaml.Node) (string, *yaml.Node) {
	switch {
	case rule != nil:
		return rule.Value, rule
	case policy != nil:
		return policy.Value, policy
	}
	return "Audit", nil
}

func isEnforce(s string) bool { return strings.EqualFold(s, "Enforce") }

func orNode(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}

// get returns the value under key of a mapping node, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v := n.Content[i+1]
			for v.Kind == yaml.AliasNode {
				v = v.Alias
			}
			return v
		}
	}
	return nil
}

// seq returns the items of a sequence node.
func seq(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func names(n *yaml.Node) string {
	var out []string
	for _, x := range seq(n) {
		out = append(out, quote(x.Value))
	}
	if len(out) == 0 {
		return "(none)"
	}
	return strings.Join(out, ", ")
}

// quote quotes untrusted text for a message, shortened.
func quote(s string) string {
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return fmt.Sprintf("%q", s)
}
