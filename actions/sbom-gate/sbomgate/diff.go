package sbomgate

import (
	"slices"
	"strings"
)

// Change is one package whose version or licences differ between base and
// head.
type Change struct {
	Base, Head Component
}

// DiffResult is what changed between two SBOMs.
type DiffResult struct {
	Added, Removed       []Component
	Upgraded, Downgraded []Change
	// Relicensed are packages at the same or another version whose
	// licences differ.
	Relicensed []Change
	Unchanged  int
}

// Diff pairs base and head components by versionless package URL. Where a
// package is at several versions, the versions both sides share are
// unchanged and the rest are paired oldest with oldest; what is left over
// is added or removed.
func Diff(base, head *SBOM) *DiffResult {
	group := func(s *SBOM) (map[string][]Component, []string) {
		m := map[string][]Component{}
		var order []string
		for _, c := range s.Components {
			k := c.PackageKey()
			if _, ok := m[k]; !ok {
				order = append(order, k)
			}
			if !slices.ContainsFunc(m[k], func(x Component) bool { return x.Version == c.Version }) {
				m[k] = append(m[k], c)
			}
		}
		return m, order
	}
	bm, border := group(base)
	hm, horder := group(head)
	r := &DiffResult{}
	keys := append(border, horder...)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for _, k := range keys {
		bs, hs := bm[k], hm[k]
		var bOnly, hOnly []Component
		for _, b := range bs {
			if i := slices.IndexFunc(hs, func(h Component) bool { return h.Version == b.Version }); i >= 0 {
				r.Unchanged++
				if !sameLicenses(b.Licenses, hs[i].Licenses) {
					r.Relicensed = append(r.Relicensed, Change{Base: b, Head: hs[i]})
				}
			} else {
				bOnly = append(bOnly, b)
			}
		}
		for _, h := range hs {
			if !slices.ContainsFunc(bs, func(b Component) bool { return b.Version == h.Version }) {
				hOnly = append(hOnly, h)
			}
		}
		byVersion := func(a, b Component) int { return CompareVersions(a.Type(), a.Version, b.Version) }
		slices.SortFunc(bOnly, byVersion)
		slices.SortFunc(hOnly, byVersion)
		n := min(len(bOnly), len(hOnly))
		for i := range n {
			c := Change{Base: bOnly[i], Head: hOnly[i]}
			if CompareVersions(c.Head.Type(), c.Base.Version, c.Head.Version) > 0 {
				r.Downgraded = append(r.Downgraded, c)
			} else {
				r.Upgraded = append(r.Upgraded, c)
			}
			if !sameLicenses(c.Base.Licenses, c.Head.Licenses) {
				r.Relicensed = append(r.Relicensed, c)
			}
		}
		r.Removed = append(r.Removed, bOnly[n:]...)
		r.Added = append(r.Added, hOnly[n:]...)
	}
	return r
}

func sameLicenses(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	for i := range x {
		x[i] = strings.ToLower(x[i])
	}
	for i := range y {
		y[i] = strings.ToLower(y[i])
	}
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
