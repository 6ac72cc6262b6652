package sarifgate

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

// Sanitizing makes a decoded result one the SARIF schema accepts, whatever
// the tool wrote: enum values it does not know are dropped, lines and
// columns below 1 are dropped (a region with nothing left goes too),
// duplicate related locations are merged, and every artifactLocation is
// resolved through the run it came from.

// Limits code scanning puts on one result.
const (
	maxLocations     = 1000   // locations per result
	maxFlowLocations = 10_000 // thread flow locations per result
	maxRuleTags      = 20     // tags per rule
)

var (
	levels     = map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	kinds      = map[string]bool{"notApplicable": true, "pass": true, "fail": true, "review": true, "open": true, "informational": true}
	statuses   = map[string]bool{"accepted": true, "underReview": true, "rejected": true}
	importance = map[string]bool{"important": true, "essential": true, "unimportant": true}
)

// cleaner sanitizes what one run contributes, resolving its locations.
type cleaner struct {
	loc *locator
	run *Run
	// places caches resolved locations: a run names the same files over
	// and over.
	places map[placeKey]place
	// stats of what was cut to fit code scanning's limits
	locationsCut int
	flowsCut     int
}

// result sanitizes res in place and returns where its primary location
// points (the first location with a file).
func (c *cleaner) result(res *result) place {
	if !levels[res.Level] {
		res.Level = ""
	}
	if !kinds[res.Kind] {
		res.Kind = ""
	}
	res.BaselineState = ""
	var primary place
	res.Locations = c.locations(res.Locations, false, &primary)
	if len(res.Locations) > maxLocations {
		res.Locations = res.Locations[:maxLocations]
		c.locationsCut++
	}
	res.RelatedLocations = c.locations(res.RelatedLocations, true, nil)
	res.CodeFlows = c.codeFlows(res.CodeFlows)
	res.Suppressions = cleanSuppressions(res.Suppressions)
	if res.Properties != nil {
		res.Properties.sanitizeTags(0)
	}
	return primary
}

// locations sanitizes a list of locations; unique drops repeats, which
// the schema forbids in relatedLocations. first, when not nil, receives
// where the first location with a file points.
func (c *cleaner) locations(ls []location, unique bool, first *place) []location {
	out := ls[:0]
	var seen map[string]bool
	if unique {
		seen = map[string]bool{}
	}
	for _, l := range ls {
		ok, p := c.location(&l)
		if !ok {
			continue
		}
		if first != nil && first.uri == "" && p.uri != "" {
			*first = p
		}
		if unique {
			b, _ := json.Marshal(l)
			if seen[string(b)] {
				continue
			}
			seen[string(b)] = true
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// location sanitizes l, reports whether anything is left of it and
// returns where its file is.
func (c *cleaner) location(l *location) (bool, place) {
	if l.ID != nil && *l.ID < -1 {
		l.ID = nil
	}
	var p place
	if pl := l.PhysicalLocation; pl != nil {
		if pl.ArtifactLocation == nil {
			l.PhysicalLocation = nil
		} else {
			p = c.resolve(pl.ArtifactLocation)
			if p.uri == "" {
				l.PhysicalLocation = nil
			} else {
				pl.ArtifactLocation = &artifactLocation{URI: p.uri, URIBaseID: p.base}
				pl.Region = cleanRegion(pl.Region)
				pl.ContextRegion = cleanRegion(pl.ContextRegion)
			}
		}
	}
	l.LogicalLocations = cleanLogical(l.LogicalLocations)
	l.Message = cleanMessage(l.Message)
	return l.PhysicalLocation != nil || len(l.LogicalLocations) > 0 || l.Message != nil, p
}

// placeKey identifies an artifactLocation for the cache.
type placeKey struct {
	uri, base string
	index     int
}

// resolve resolves an artifactLocation through the cache.
func (c *cleaner) resolve(al *artifactLocation) place {
	k := placeKey{uri: al.URI, base: al.URIBaseID, index: -1}
	if al.Index != nil {
		k.index = *al.Index
	}
	if p, ok := c.places[k]; ok {
		return p
	}
	p := c.loc.resolve(al, c.run)
	if c.places != nil {
		c.places[k] = p
	}
	return p
}

// cleanRegion drops what the schema rejects; a region with no start left
// is dropped.
func cleanRegion(r *region) *region {
	if r == nil {
		return nil
	}
	for _, v := range []*int{&r.StartLine, &r.StartColumn, &r.EndLine, &r.EndColumn} {
		if *v < 1 {
			*v = 0
		}
	}
	for _, p := range []**int{&r.CharOffset, &r.ByteOffset} {
		if *p != nil && **p < -1 {
			*p = nil
		}
	}
	for _, p := range []**int{&r.CharLength, &r.ByteLength} {
		if *p != nil && **p < 0 {
			*p = nil
		}
	}
	if r.EndLine != 0 && r.StartLine != 0 && r.EndLine < r.StartLine {
		r.EndLine = 0
	}
	if r.Snippet != nil && r.Snippet.Text == "" {
		r.Snippet = nil
	}
	r.Message = cleanMessage(r.Message)
	if r.StartLine == 0 && r.CharOffset == nil && r.ByteOffset == nil {
		return nil
	}
	return r
}

func cleanLogical(ls []logicalLocation) []logicalLocation {
	var out []logicalLocation
	for _, l := range ls {
		if l == (logicalLocation{}) || slices.Contains(out, l) {
			continue
		}
		out = append(out, l)
	}
	return out
}

// cleanMessage drops a message with neither text nor id.
func cleanMessage(m *message) *message {
	if m == nil || (m.Text == "" && m.ID == "") {
		return nil
	}
	return m
}

// codeFlows sanitizes data flow paths; a result whose paths hold more
// thread flow locations than code scanning accepts loses its paths (it is
// still reported, without them).
func (c *cleaner) codeFlows(cfs []codeFlow) []codeFlow {
	var out []codeFlow
	total := 0
	for _, cf := range cfs {
		var tfs []threadFlow
		for _, tf := range cf.ThreadFlows {
			var steps []threadFlowLocation
			for _, s := range tf.Locations {
				if s.Location != nil {
					if ok, _ := c.location(s.Location); !ok {
						s.Location = nil
					}
				}
				if !importance[s.Importance] {
					s.Importance = ""
				}
				if s.NestingLevel != nil && *s.NestingLevel < 0 {
					s.NestingLevel = nil
				}
				if s.ExecutionOrder != nil && *s.ExecutionOrder < -1 {
					s.ExecutionOrder = nil
				}
				steps = append(steps, s)
			}
			if len(steps) == 0 {
				continue
			}
			total += len(steps)
			tfs = append(tfs, threadFlow{Message: cleanMessage(tf.Message), Locations: steps})
		}
		if len(tfs) > 0 {
			out = append(out, codeFlow{Message: cleanMessage(cf.Message), ThreadFlows: tfs})
		}
	}
	if total > maxFlowLocations {
		c.flowsCut++
		return nil
	}
	return out
}

// cleanSuppressions keeps suppressions of a kind SARIF knows, once each.
func cleanSuppressions(ss []suppression) []suppression {
	var out []suppression
	for _, s := range ss {
		if s.Kind != "inSource" && s.Kind != "external" {
			continue
		}
		if !statuses[s.Status] {
			s.Status = ""
		}
		// Where a tool's suppression is written is not kept: it may name
		// files outside the repository.
		s.Location, s.Properties = nil, nil
		if !slices.ContainsFunc(out, func(o suppression) bool {
			return o.Kind == s.Kind && o.Status == s.Status && o.Justification == s.Justification
		}) {
			out = append(out, s)
		}
	}
	return out
}

// cleanRule makes an output copy of a rule the schema accepts and code
// scanning keeps whole: absolute help URI, descriptions with text, at most
// maxRuleTags unique tags. It reports whether tags were cut.
func cleanRule(ru rule) (rule, bool) {
	ru.MessageStrings = nil
	if !absoluteURI(ru.HelpURI) {
		ru.HelpURI = ""
	}
	for _, m := range []**multiformat{&ru.ShortDescription, &ru.FullDescription, &ru.Help} {
		if *m != nil && (*m).Text == "" {
			*m = nil
		}
	}
	if dc := ru.DefaultConfiguration; dc != nil {
		if !levels[dc.Level] {
			dc.Level = ""
		}
		if dc.Rank != nil && *dc.Rank < -1 {
			dc.Rank = nil
		}
	}
	cut := false
	if ru.Properties != nil {
		p := make(propertyBag, len(ru.Properties))
		for k, v := range ru.Properties {
			p[k] = v
		}
		cut = p.sanitizeTags(maxRuleTags)
		ru.Properties = p
	}
	return ru, cut
}

// cleanComponent copies a tool component's identity (not its rules).
func cleanComponent(tc toolComponent) toolComponent {
	out := toolComponent{
		Name:            strings.TrimSpace(tc.Name),
		FullName:        tc.FullName,
		Version:         tc.Version,
		SemanticVersion: tc.SemanticVersion,
		Organization:    tc.Organization,
	}
	if absoluteURI(tc.InformationURI) {
		out.InformationURI = tc.InformationURI
	}
	return out
}

// absoluteURI reports whether s is an absolute URI, as the schema's "uri"
// format requires.
func absoluteURI(s string) bool {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' }) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}
