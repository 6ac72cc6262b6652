package evidencegate

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema is the JSON Schema of a statement with [PredicateType]: what
// the gate signs and what promote accepts.
//
//go:embed schema/evidence-v1.schema.json
var Schema []byte

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	return compileSchema("evidence-v1.schema.json", Schema)
})

// compileSchema compiles a schema with format assertions on, so a
// "date-time" must be one.
func compileSchema(name string, doc []byte) (*jsonschema.Schema, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("reading schema %s: %w", name, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(name, v); err != nil {
		return nil, fmt.Errorf("loading schema %s: %w", name, err)
	}
	return c.Compile(name)
}

// ValidateStatement checks statement JSON against [Schema].
func ValidateStatement(statement []byte) error {
	s, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(statement))
	if err != nil {
		return fmt.Errorf("reading the statement: %w", err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("the statement does not match schema %s: %w", PredicateType, err)
	}
	return nil
}
