package sentinel

import (
	"fmt"
	"strings"

	"github.com/hubgates/hub/shared/gate"
)

// runKey computes the scoped cache key and restore keys.
func runKey(in *gate.Inputs, c Classification) (*gate.Result, error) {
	key := in.String(inputKey)
	if key == "" {
		return nil, gate.BadInputf(inputKey, "", "is required with operation key")
	}
	if err := CheckKey(key); err != nil {
		return nil, &gate.InputError{Input: inputKey, Value: key, Problem: err.Error(), Err: err}
	}
	for _, r := range in.List(inputRestoreKeys) {
		if err := CheckKey(r); err != nil {
			return nil, &gate.InputError{Input: inputRestoreKeys, Value: r, Problem: err.Error(), Err: err}
		}
	}
	scoped, restore, err := Keys(c.Domain, key, in.List(inputRestoreKeys))
	if err != nil {
		return nil, err
	}
	var d strings.Builder
	fmt.Fprintf(&d, "| Trust domain | Why |\n|---|---|\n| `%s` | %s |\n\n", c.Domain, cellText(c.Why))
	fmt.Fprintf(&d, "| actions/cache input | Value |\n|---|---|\n| `key` | `%s` |\n", scoped)
	for _, r := range restore {
		fmt.Fprintf(&d, "| `restore-keys` | `%s` |\n", r)
	}
	return &gate.Result{
		Reason: fmt.Sprintf("Trust domain %s (%s): key %s.", c.Domain, c.Why, scoped),
		Outputs: map[string]string{
			outputKey:         scoped,
			outputRestoreKeys: strings.Join(restore, "\n"),
			outputTrustDomain: string(c.Domain),
		},
		Details: d.String(),
	}, nil
}
