package actions

import (
	"github.com/hubgates/hub/actions/workflow-audit/audit"
	"github.com/hubgates/hub/shared/gate"
)

// All returns every gate hub ships, in the order the README lists them.
func All() []*gate.Gate {
	return []*gate.Gate{
		audit.Gate,
	}
}
