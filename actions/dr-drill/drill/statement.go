package drill

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// PredicateType names (and versions) the drill record predicate; its JSON
// Schema is schema/dr-drill-v1.schema.json.
const PredicateType = "https://hubgates.github.io/hub/dr-drill/v1"

// Statement is an in-toto Statement v1 carrying a drill record.
type Statement struct {
	Type          string    `json:"_type"`
	Subject       []Subject `json:"subject"`
	PredicateType string    `json:"predicateType"`
	Predicate     Predicate `json:"predicate"`
}

// Subject is what the record is attached to, by digest.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Predicate is one drill's result.
type Predicate struct {
	// Operation is the drill run: "recall".
	Operation string `json:"operation"`
	// Created is when the drill finished.
	Created time.Time `json:"created"`
	// Passed is true when every release was recovered and verified.
	Passed bool `json:"passed"`
	// Run is the workflow run the drill ran in.
	Run Run `json:"run"`
	// Releases are the per-release outcomes.
	Releases []Release `json:"releases"`
}

// Run identifies the workflow run.
type Run struct {
	Repository string `json:"repository"`
	Workflow   string `json:"workflow"`
	RunID      string `json:"runId"`
	URL        string `json:"url"`
}

// Release is one release recalled.
type Release struct {
	// Image is the reference as given, Digest what it resolved to.
	Image  string `json:"image"`
	Digest string `json:"digest"`
	// Recovered is true when every check passed.
	Recovered bool `json:"recovered"`
	// Checks are the checks made, in order.
	Checks []Check `json:"checks"`
	// RecoveryMillis is how long pulling, verifying and restoring took.
	RecoveryMillis int64 `json:"recoveryMillis"`
}

// Check is one check of a release.
type Check struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail,omitempty"`
}

// Schema is the JSON Schema of a drill record statement.
//
//go:embed schema/dr-drill-v1.schema.json
var Schema []byte

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		return nil, fmt.Errorf("reading the drill schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("dr-drill-v1.schema.json", v); err != nil {
		return nil, err
	}
	return c.Compile("dr-drill-v1.schema.json")
})

// ValidateStatement checks statement JSON against [Schema].
func ValidateStatement(statement []byte) error {
	s, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(statement))
	if err != nil {
		return fmt.Errorf("reading the drill record: %w", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("the drill record does not match schema %s: %w", PredicateType, err)
	}
	return nil
}

// Marshal encodes st as compact JSON without HTML escaping.
func Marshal(st Statement) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return nil, fmt.Errorf("encoding the drill record: %w", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
