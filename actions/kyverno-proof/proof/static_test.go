package proof

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func doc(t *testing.T, src string) policyDoc {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := n.Decode(&obj); err != nil {
		t.Fatal(err)
	}
	md, _ := obj["metadata"].(map[string]any)
	name, _ := md["name"].(string)
	kind, _ := obj["kind"].(string)
	return policyDoc{file: "p.yaml", document: 1, node: &n, object: obj, name: name, kind: kind}
}

const enforced = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: p
spec:
  rules:
    - name: r
      match:
        any:
          - resources:
              kinds: [Pod]
      exclude:
        any:
          - resources:
              namespaces: [kube-system]
      validate:
        failureAction: Enforce
        pattern:
          spec:
            containers:
              - image: "*@sha256:*"
`

func TestStaticFindings(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string // rule@line
	}{
		{"enforced and narrow", enforced, nil},
		{"rule in Audit", strings.Replace(enforced, "failureAction: Enforce", "failureAction: Audit", 1), []string{RuleAuditMode + "@17"}},
		{"policy-wide Audit (the default when unset)", strings.Replace(enforced, "        failureAction: Enforce\n", "", 1), []string{RuleAuditMode + "@7"}},
		{"policy-wide Enforce", strings.Replace(strings.Replace(enforced, "        failureAction: Enforce\n", "", 1), "spec:\n  rules:", "spec:\n  validationFailureAction: Enforce\n  rules:", 1), nil},
		{"audit override", strings.Replace(enforced, "failureAction: Enforce\n", "failureAction: Enforce\n        failureActionOverrides:\n          - action: Audit\n            namespaces: [dev]\n", 1), []string{RuleAuditMode + "@19"}},
		{"fail open", strings.Replace(enforced, "spec:\n  rules:", "spec:\n  failurePolicy: Ignore\n  rules:", 1), []string{RuleFailOpen + "@6"}},
		{"webhook fail open", strings.Replace(enforced, "spec:\n  rules:", "spec:\n  webhookConfiguration:\n    failurePolicy: Ignore\n  rules:", 1), []string{RuleFailOpen + "@7"}},
		{"background off", strings.Replace(enforced, "spec:\n  rules:", "spec:\n  background: false\n  rules:", 1), []string{RuleBackgroundOff + "@6"}},
		{"broad namespace", strings.Replace(enforced, "[kube-system]", "[kube-system, prod]", 1), []string{RuleBroadExclude + "@15"}},
		{"selector", strings.Replace(enforced, "namespaces: [kube-system]", "selector:\n                matchLabels: {skip: \"yes\"}", 1), []string{RuleBroadExclude + "@16"}},
		{"service account by name", strings.Replace(enforced, "          - resources:\n              namespaces: [kube-system]", "          - subjects:\n              - kind: ServiceAccount\n                namespace: ci\n                name: deployer", 1), []string{RuleBroadExclude + "@17"}},
		{"verifyImages in Audit", `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: v
spec:
  rules:
    - name: sig
      verifyImages:
        - imageReferences: ["*"]
          failureAction: Audit
`, []string{RuleAuditMode + "@10"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range staticFindings(doc(t, tc.src), []string{"kube-system", "kyverno"}) {
				got = append(got, f.Rule+"@"+itoa(f.Line))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
		})
	}
}

func itoa(i int) string {
	return strconv.Itoa(i)
}
