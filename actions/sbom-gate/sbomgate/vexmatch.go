package sbomgate

import (
	"slices"
	"strings"
)

// VEXIndex finds the statements about a vulnerability in a package.
type VEXIndex struct {
	byID  map[string][]int
	stmts []Statement
}

// NewVEXIndex indexes statements by vulnerability id and alias. Their
// order is the order of precedence among statements with the same time.
func NewVEXIndex(stmts []Statement) *VEXIndex {
	x := &VEXIndex{byID: map[string][]int{}, stmts: stmts}
	for i := range stmts {
		x.stmts[i].seq = i
		for _, id := range append([]string{stmts[i].Vulnerability}, stmts[i].Aliases...) {
			k := strings.ToUpper(id)
			if !slices.Contains(x.byID[k], i) {
				x.byID[k] = append(x.byID[k], i)
			}
		}
	}
	return x
}

// Decide returns the statement that decides vulnerability v for the
// product (identified by products) and its component v.Package: among the
// statements naming one of v's ids whose products match the package itself,
// or match the product with no subcomponent or a subcomponent matching the
// package, the latest (by time, then by order). Nil when none speaks.
func (x *VEXIndex) Decide(v Vulnerability, products []string) *Statement {
	var best *Statement
	seen := map[int]bool{}
	for _, id := range v.IDs() {
		for _, i := range x.byID[strings.ToUpper(id)] {
			if seen[i] {
				continue
			}
			seen[i] = true
			s := &x.stmts[i]
			if !statementApplies(s, v.Package, products) {
				continue
			}
			if best == nil || s.Time.After(best.Time) || (s.Time.Equal(best.Time) && s.seq > best.seq) {
				best = s
			}
		}
	}
	return best
}

func statementApplies(s *Statement, pkg Component, products []string) bool {
	forProduct := slices.ContainsFunc(s.Products, func(p string) bool {
		return slices.ContainsFunc(products, func(q string) bool { return idMatches(p, q) })
	})
	if len(s.Subcomponents) > 0 {
		return forProduct && slices.ContainsFunc(s.Subcomponents, func(c string) bool { return componentMatches(c, pkg) })
	}
	return forProduct || slices.ContainsFunc(s.Products, func(p string) bool { return componentMatches(p, pkg) })
}

// componentMatches reports whether a statement's identifier names the
// component: a package URL matching its own, its bom-ref, or a CycloneDX
// BOM-Link ("urn:cdx:serial/version#bom-ref") ending in it.
func componentMatches(id string, c Component) bool {
	if strings.HasPrefix(id, "pkg:") {
		return c.HasPURL && purlMatches(id, c.PURL)
	}
	return c.Ref != "" && (id == c.Ref || strings.HasSuffix(id, "#"+c.Ref))
}

// idMatches compares a statement's product identifier with one of the
// product's: package URLs as purlMatches does, anything else exactly.
func idMatches(stmt, product string) bool {
	if strings.HasPrefix(stmt, "pkg:") && strings.HasPrefix(product, "pkg:") {
		p, err := ParsePURL(product)
		return err == nil && purlMatches(stmt, p)
	}
	return stmt == product
}

// purlMatches is OpenVEX's rule for package URLs, on normalized ones: same
// type, namespace, name and subpath; the statement's version, when it has
// one, equal; every qualifier of the statement present in the target.
func purlMatches(stmt string, target PURL) bool {
	p, err := ParsePURL(stmt)
	if err != nil {
		return false
	}
	if p.Type != target.Type || p.Namespace != target.Namespace || p.Name != target.Name || p.Subpath != target.Subpath {
		return false
	}
	if p.Version != "" && p.Version != target.Version {
		return false
	}
	for _, q := range append(p.Qualifiers, p.Platform...) {
		if !slices.Contains(target.Qualifiers, q) && !slices.Contains(target.Platform, q) {
			return false
		}
	}
	return true
}
