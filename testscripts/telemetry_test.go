package testscripts

import (
	"fmt"
	"os"
	"sync"

	"github.com/hubgates/hub/shared/telemetry/schema"
)

var (
	validatorOnce sync.Once
	validator     *schema.Validator
	validatorErr  error
)

// validateTelemetry checks every event in the NDJSON file at path against
// the schema and returns how many it read; a missing file holds none.
func validateTelemetry(path string) (int, error) {
	validatorOnce.Do(func() { validator, validatorErr = schema.NewValidator() })
	if validatorErr != nil {
		return 0, validatorErr
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := validator.ValidateNDJSON(f)
	if err != nil {
		return n, fmt.Errorf("telemetry emitted by this script breaks the schema: %w", err)
	}
	return n, nil
}
