package schema

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hubgates/hub/shared/telemetry"
)

// Validator checks events against [telemetry.Schema].
type Validator struct {
	schema *jsonschema.Schema
}

// NewValidator compiles the embedded schema, with format assertions on so
// "started" must be a real RFC 3339 time.
func NewValidator() (*Validator, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(telemetry.Schema))
	if err != nil {
		return nil, fmt.Errorf("reading telemetry schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("event.schema.json", doc); err != nil {
		return nil, fmt.Errorf("loading telemetry schema: %w", err)
	}
	s, err := c.Compile("event.schema.json")
	if err != nil {
		return nil, fmt.Errorf("compiling telemetry schema: %w", err)
	}
	return &Validator{schema: s}, nil
}

// ValidateNDJSON checks every line of r and returns how many events it
// read. The error names the first bad line.
func (v *Validator) ValidateNDJSON(r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if !json.Valid(line) {
			return n, fmt.Errorf("telemetry line %d: not JSON: %.80q", n, line)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
		if err != nil {
			return n, fmt.Errorf("telemetry line %d: %w", n, err)
		}
		if err := v.schema.Validate(doc); err != nil {
			return n, fmt.Errorf("telemetry line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("reading telemetry: %w", err)
	}
	return n, nil
}
