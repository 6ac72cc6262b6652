package sbomgate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/openvex/go-vex/pkg/csaf"
	"github.com/openvex/go-vex/pkg/vex"
)

// The VEX statuses, as OpenVEX names them; CycloneDX analysis states and
// CSAF product statuses are mapped onto them.
const (
	StatusNotAffected        = "not_affected"
	StatusFixed              = "fixed"
	StatusAffected           = "affected"
	StatusUnderInvestigation = "under_investigation"
)

// Statement is one VEX statement in the form the three formats share: a
// vulnerability (with aliases), the products it speaks for, optionally the
// components inside them, a status and a justification.
type Statement struct {
	Vulnerability string
	Aliases       []string
	// Products identify what the statement is about: package URLs, image
	// references, CycloneDX bom-ref links or other identifiers.
	Products []string
	// Subcomponents narrow the statement to these components of the
	// products.
	Subcomponents []string
	Status        string
	Justification string
	// Time orders statements about the same thing: the latest wins.
	Time time.Time
	// Document is the file the statement came from, Signer who signed it.
	Document string
	Signer   string
	// seq keeps file order among statements with equal times.
	seq int
}

// Covers reports whether the statement's status lets a vulnerability pass:
// fixed, or not_affected with a justification.
func (s Statement) Covers() bool {
	return s.Status == StatusFixed || (s.Status == StatusNotAffected && s.Justification != "")
}

// ErrNotVEX is wrapped when a document is none of the VEX formats.
var ErrNotVEX = errors.New("not a VEX document")

// vexSniff tells the VEX formats apart.
type vexSniff struct {
	Context   string          `json:"@context"`
	BOMFormat string          `json:"bomFormat"`
	Document  json.RawMessage `json:"document"`
	Type      string          `json:"_type"`
	PredType  string          `json:"predicateType"`
	Predicate json.RawMessage `json:"predicate"`
}

// ParseVEX reads an OpenVEX document (v0.0.1 and v0.2.0, through go-vex),
// a CycloneDX document with analysed vulnerabilities, a CSAF 2.0 document
// of the VEX profile, or an in-toto statement whose predicate is OpenVEX.
func ParseVEX(name string, data []byte) ([]Statement, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var s vexSniff
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %v", ErrNotVEX, jsonProblem(err))
	}
	var stmts []Statement
	var err error
	switch {
	case strings.HasPrefix(s.Context, vex.Context):
		stmts, err = parseOpenVEX(s.Context, data)
	case strings.EqualFold(s.BOMFormat, "CycloneDX"):
		var sb *SBOM
		if sb, err = parseCycloneDX(name, data); err == nil {
			if len(sb.VEX) == 0 {
				err = fmt.Errorf("%w: the CycloneDX document has no vulnerability with an analysis", ErrNotVEX)
			}
			stmts = sb.VEX
		}
	case len(s.Document) > 0 && bytes.Contains(s.Document, []byte(`"csaf_version"`)):
		stmts, err = parseCSAF(data)
	case strings.HasPrefix(s.Type, "https://in-toto.io/Statement/") && strings.HasPrefix(s.PredType, vex.Context):
		return ParseVEX(name, s.Predicate)
	default:
		return nil, fmt.Errorf("%w: want OpenVEX (@context %s), CycloneDX with analysed vulnerabilities, or CSAF 2.0", ErrNotVEX, vex.Context)
	}
	if err != nil {
		return nil, err
	}
	for i := range stmts {
		stmts[i].Document = name
		stmts[i].seq = i
	}
	return stmts, nil
}

// parseOpenVEX reads OpenVEX: the current format through go-vex, v0.0.1
// (the unversioned context) in its older shape.
func parseOpenVEX(context string, data []byte) ([]Statement, error) {
	if v := strings.TrimPrefix(strings.TrimPrefix(context, vex.Context), "/"); v == "" || v == "v0.0.1" {
		return parseOpenVEX001(data)
	}
	doc, err := vex.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("reading OpenVEX: %v", jsonProblem(errors.Unwrap(err)))
	}
	var docTime time.Time
	if doc.Timestamp != nil {
		docTime = *doc.Timestamp
	}
	out := make([]Statement, 0, len(doc.Statements))
	for _, st := range doc.Statements {
		s := Statement{
			Vulnerability: string(st.Vulnerability.Name), Status: string(st.Status),
			Justification: string(st.Justification), Time: docTime,
		}
		if s.Vulnerability == "" {
			s.Vulnerability = st.Vulnerability.ID
		}
		for _, a := range st.Vulnerability.Aliases {
			s.Aliases = append(s.Aliases, string(a))
		}
		if st.Timestamp != nil {
			s.Time = *st.Timestamp
		}
		if st.LastUpdated != nil {
			s.Time = *st.LastUpdated
		}
		for _, p := range st.Products {
			s.Products = append(s.Products, componentIDs(p.Component)...)
			for _, sc := range p.Subcomponents {
				s.Subcomponents = append(s.Subcomponents, componentIDs(sc.Component)...)
			}
		}
		if s.Vulnerability == "" {
			return nil, fmt.Errorf("reading OpenVEX: statement %d names no vulnerability", len(out)+1)
		}
		out = append(out, s)
	}
	return out, nil
}

// componentIDs lists an OpenVEX component's identifiers: its @id and its
// purl or CPE identifiers.
func componentIDs(c vex.Component) []string {
	var ids []string
	if c.ID != "" {
		ids = append(ids, c.ID)
	}
	for _, id := range c.Identifiers {
		if id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// openVEX001 is OpenVEX v0.0.1's statement shape (go-vex keeps its reader
// of it private and reads only from a file path).
type openVEX001 struct {
	Timestamp  *time.Time `json:"timestamp"`
	Statements []struct {
		Timestamp     *time.Time `json:"timestamp"`
		Products      []string   `json:"products"`
		Subcomponents []string   `json:"subcomponents"`
		Vulnerability string     `json:"vulnerability"`
		Status        string     `json:"status"`
		Justification string     `json:"justification"`
	} `json:"statements"`
}

func parseOpenVEX001(data []byte) ([]Statement, error) {
	var doc openVEX001
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("reading OpenVEX v0.0.1: %v", jsonProblem(err))
	}
	out := make([]Statement, 0, len(doc.Statements))
	for i, st := range doc.Statements {
		if st.Vulnerability == "" {
			return nil, fmt.Errorf("reading OpenVEX v0.0.1: statement %d names no vulnerability", i+1)
		}
		s := Statement{Vulnerability: st.Vulnerability, Products: st.Products, Subcomponents: st.Subcomponents,
			Status: st.Status, Justification: st.Justification}
		switch {
		case st.Timestamp != nil:
			s.Time = *st.Timestamp
		case doc.Timestamp != nil:
			s.Time = *doc.Timestamp
		}
		out = append(out, s)
	}
	return out, nil
}

// csafStatuses maps CSAF product statuses to VEX statuses; the others
// (recommended) say nothing about being affected.
var csafStatuses = map[string]string{
	"known_not_affected": StatusNotAffected,
	"fixed":              StatusFixed, "first_fixed": StatusFixed,
	"known_affected": StatusAffected, "first_affected": StatusAffected, "last_affected": StatusAffected,
	"under_investigation": StatusUnderInvestigation,
}

// parseCSAF reads a CSAF 2.0 document with go-vex's CSAF types. Product
// ids resolve to their identification helpers (purl, cpe); a relationship
// ("default_component_of") makes its id a component inside a product. A
// flag's label is the justification of known_not_affected.
func parseCSAF(data []byte) ([]Statement, error) {
	var doc csaf.CSAF
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("reading CSAF: %v", jsonProblem(err))
	}
	ids := map[string][]string{}
	var addProduct func(p csaf.Product)
	addProduct = func(p csaf.Product) {
		if p.ID == "" {
			return
		}
		list := []string{p.ID}
		for _, h := range p.IdentificationHelper {
			if h != "" {
				list = append(list, h)
			}
		}
		ids[p.ID] = list
	}
	var walk func(b csaf.ProductBranch)
	walk = func(b csaf.ProductBranch) {
		addProduct(b.Product)
		for _, c := range b.Branches {
			walk(c)
		}
	}
	walk(doc.ProductTree)
	type rel struct{ product, component string }
	rels := map[string]rel{}
	for _, r := range doc.ProductTree.Relationships {
		rels[r.FullProductName.ID] = rel{r.RelatesToProductRef, r.ProductRef}
	}
	docTime := doc.Document.Tracking.CurrentReleaseDate
	var out []Statement
	for _, v := range doc.Vulnerabilities {
		id := v.CVE
		var aliases []string
		for _, t := range v.IDs {
			if id == "" {
				id = t.Text
			} else if t.Text != "" {
				aliases = append(aliases, t.Text)
			}
		}
		if id == "" {
			continue
		}
		just := map[string]string{}
		for _, f := range v.Flags {
			for _, pid := range f.ProductIDs {
				just[pid] = f.Label
			}
		}
		for _, status := range slices.Sorted(maps.Keys(v.ProductStatus)) {
			pids := v.ProductStatus[status]
			st, ok := csafStatuses[status]
			if !ok {
				continue
			}
			for _, pid := range pids {
				s := Statement{Vulnerability: id, Aliases: aliases, Status: st, Justification: just[pid], Time: docTime}
				if r, ok := rels[pid]; ok {
					s.Products = append([]string{pid}, ids[r.product]...)
					s.Subcomponents = ids[r.component]
				} else {
					s.Products = append([]string{pid}, ids[pid]...)
				}
				out = append(out, s)
			}
		}
	}
	return out, nil
}
