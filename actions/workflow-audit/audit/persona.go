package audit

import (
	"errors"
	"fmt"
)

// Persona says how much the audit reports, as zizmor's personas do:
// regular findings are the ones worth fixing in any repository; pedantic
// adds findings that are risky only in some setups or are code smells
// (an unknown runner label, an artifact upload next to a persisting
// checkout); auditor adds the strict definitions a security review wants
// listed even when nothing in the file makes them exploitable (every
// pull_request_target, every checkout that keeps its credentials).
type Persona int

// The personas, from the least to the most reported.
const (
	PersonaRegular Persona = iota
	PersonaPedantic
	PersonaAuditor
)

// personaNames are the persona input's values, in Persona order.
var personaNames = []string{"regular", "pedantic", "auditor"}

// String returns the persona's name.
func (p Persona) String() string {
	if p < PersonaRegular || p > PersonaAuditor {
		return fmt.Sprintf("persona(%d)", int(p))
	}
	return personaNames[p]
}

// ErrInvalidPersona is wrapped by ParsePersona's error.
var ErrInvalidPersona = errors.New("invalid persona")

// ParsePersona parses "regular", "pedantic" or "auditor"; "" is regular.
func ParsePersona(s string) (Persona, error) {
	if s == "" {
		return PersonaRegular, nil
	}
	for i, n := range personaNames {
		if s == n {
			return Persona(i), nil
		}
	}
	return 0, fmt.Errorf("%w %q: want regular, pedantic or auditor", ErrInvalidPersona, s)
}

// wants reports whether a finding meant for persona p is reported in
// this scan.
func (r *reporter) wants(p Persona) bool { return r.ctx.persona >= p }
