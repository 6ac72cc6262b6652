package schema

import "testing"

func TestValidate(t *testing.T) {
	ok := `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[]}]}`
	if err := Validate([]byte(ok)); err != nil {
		t.Fatalf("a minimal valid log was rejected: %v", err)
	}
	for name, doc := range map[string]string{
		"not JSON":       `{`,
		"wrong version":  `{"version":"2.0.0","runs":[]}`,
		"no tool":        `{"version":"2.1.0","runs":[{"results":[]}]}`,
		"bad level":      `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"severe"}]}]}`,
		"missing runs":   `{"version":"2.1.0"}`,
		"runs not array": `{"version":"2.1.0","runs":{}}`,
	} {
		if err := Validate([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
