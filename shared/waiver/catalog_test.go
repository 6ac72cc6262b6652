package waiver_test

import (
	"slices"
	"testing"

	"github.com/hubgates/hub/actions"
	"github.com/hubgates/hub/shared/waiver"
)

// TestEveryConfiguredGateHasASection keeps Gates in step with the
// catalogue: a gate that reads the configuration must be allowed a section.
func TestEveryConfiguredGateHasASection(t *testing.T) {
	for _, g := range actions.All() {
		for _, in := range g.Spec.AllInputs() {
			if in.Name == waiver.InputConfig && !slices.Contains(waiver.Gates, g.Spec.Name) {
				t.Errorf("gate %s declares the %s input but waiver.Gates has no section for it", g.Spec.Name, waiver.InputConfig)
			}
		}
	}
}
