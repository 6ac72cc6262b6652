package main

import (
	"fmt"
	"sort"
)

// substituteAttestors replaces every attestor entry of every verifyImages
// rule (signature attestors and attestation attestors) with the probe
// key, transparency log and SCT checks off: the probes can only be signed
// with a key made for the run, and Rekor, Fulcio and the CT log need the
// network. It returns what it replaced, for the evidence.
func substituteAttestors(policy map[string]any, publicPEM string) []string {
	var notes []string
	name := policyName(policy)
	spec, _ := policy["spec"].(map[string]any)
	rules, _ := spec["rules"].([]any)
	for _, r := range rules {
		rule, _ := r.(map[string]any)
		ruleName, _ := rule["name"].(string)
		vis, _ := rule["verifyImages"].([]any)
		for i, v := range vis {
			vi, _ := v.(map[string]any)
			if vi == nil {
				continue
			}
			n := replaceSets(vi["attestors"], publicPEM)
			if atts, ok := vi["attestations"].([]any); ok {
				for _, a := range atts {
					if am, ok := a.(map[string]any); ok {
						n += replaceSets(am["attestors"], publicPEM)
					}
				}
			}
			if n > 0 {
				notes = append(notes, fmt.Sprintf("policy %s rule %s verifyImages[%d]: %d attestor entries replaced by the probe key (rekor ignoreTlog, ctlog ignoreSCT)", name, ruleName, i, n))
			}
		}
	}
	return notes
}

// replaceSets replaces the entries of a list of attestor sets; it returns
// how many it replaced.
func replaceSets(v any, publicPEM string) int {
	sets, _ := v.([]any)
	n := 0
	for _, s := range sets {
		set, _ := s.(map[string]any)
		if set == nil {
			continue
		}
		entries, _ := set["entries"].([]any)
		for i := range entries {
			entries[i] = map[string]any{"keys": map[string]any{
				"publicKeys": publicPEM,
				"rekor":      map[string]any{"ignoreTlog": true},
				"ctlog":      map[string]any{"ignoreSCT": true},
			}}
			n++
		}
	}
	return n
}

func policyName(p map[string]any) string {
	md, _ := p["metadata"].(map[string]any)
	n, _ := md["name"].(string)
	if ns, _ := md["namespace"].(string); ns != "" {
		return ns + "/" + n
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
