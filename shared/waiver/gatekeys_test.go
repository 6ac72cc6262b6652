package waiver_test

import (
	"strings"
	"testing"
)

// A gate's own keys ([waiver.SectionKeys]) are kept as YAML for it; in
// another gate's section the same key is an unknown key.
func TestSectionKeysRunnerBudget(t *testing.T) {
	c, err := policy(t).Parse("hub.yml", []byte("version: 1\nrunner-budget:\n  groups:\n    ci:\n      capacity: 60\n"))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Gate("runner-budget").Settings["groups"]
	if n == nil || n.Line != 4 || len(n.Content) != 2 || n.Content[0].Value != "ci" {
		t.Fatalf("groups not kept: %+v", n)
	}
	_, err = policy(t).Parse("hub.yml", []byte("version: 1\nworkflow-audit:\n  groups: {}\n"))
	if err == nil || !strings.Contains(err.Error(), `hub.yml:3: unknown key "groups"`) {
		t.Fatalf("groups in workflow-audit: %v", err)
	}
}
