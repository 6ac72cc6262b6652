package sbomgate

import (
	"strings"
)

// LicenseAllowed reports whether an SPDX licence expression is acceptable
// when only the licences in allowed are: an OR offers a choice, so one
// allowed branch is enough; every part of an AND must be allowed; "X WITH
// exception" is allowed when X is (or "X WITH exception" is listed). A
// plain licence name that is not an expression must be listed as written.
// Comparison ignores case; a trailing "+" (or later) counts as the
// licence itself.
func LicenseAllowed(expr string, allowed map[string]bool) bool {
	p := &licenseParser{tokens: licenseTokens(expr), allowed: allowed}
	ok := p.or()
	if p.bad || p.pos != len(p.tokens) {
		return allowed[strings.ToLower(strings.TrimSpace(expr))]
	}
	return ok
}

type licenseParser struct {
	tokens  []string
	pos     int
	allowed map[string]bool
	bad     bool
}

func (p *licenseParser) peek() string {
	if p.pos < len(p.tokens) {
		return p.tokens[p.pos]
	}
	return ""
}

func (p *licenseParser) or() bool {
	ok := p.and()
	for strings.EqualFold(p.peek(), "OR") {
		p.pos++
		right := p.and()
		ok = ok || right
	}
	return ok
}

func (p *licenseParser) and() bool {
	ok := p.with()
	for strings.EqualFold(p.peek(), "AND") {
		p.pos++
		right := p.with()
		ok = ok && right
	}
	return ok
}

func (p *licenseParser) with() bool {
	t := p.peek()
	switch {
	case t == "(":
		p.pos++
		ok := p.or()
		if p.peek() != ")" {
			p.bad = true
			return false
		}
		p.pos++
		return ok
	case t == "" || t == ")" || strings.EqualFold(t, "AND") || strings.EqualFold(t, "OR") || strings.EqualFold(t, "WITH"):
		p.bad = true
		return false
	}
	p.pos++
	id := strings.ToLower(strings.TrimSuffix(t, "+"))
	if strings.EqualFold(p.peek(), "WITH") {
		p.pos++
		exc := p.peek()
		if exc == "" || exc == "(" || exc == ")" {
			p.bad = true
			return false
		}
		p.pos++
		return p.allowed[id] || p.allowed[id+" with "+strings.ToLower(exc)]
	}
	return p.allowed[id]
}

// licenseTokens splits an expression into identifiers, operators and
// parentheses.
func licenseTokens(s string) []string {
	s = strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s)
	return strings.Fields(s)
}

// allowedSet lower-cases the allowed-licenses input.
func allowedSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, l := range list {
		m[strings.ToLower(strings.TrimSpace(l))] = true
	}
	return m
}
