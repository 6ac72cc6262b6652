package sbomgate

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Component is one package an SBOM lists, reduced to what the operations
// compare: its package URL (normalized), name, version and licences.
type Component struct {
	Name    string
	Version string
	// PURL is the component's normalized package URL; HasPURL says whether
	// the SBOM gave one (a component without one is keyed by its name).
	PURL    PURL
	HasPURL bool
	// Licenses are the component's licences: SPDX identifiers, expressions
	// or names as written, "NOASSERTION" and "NONE" left out.
	Licenses []string
	// Ref is the component's bom-ref (CycloneDX) or SPDXID (SPDX).
	Ref string
}

// Type is the package URL type, "" without one.
func (c Component) Type() string { return c.PURL.Type }

// PackageKey is the versionless identity diff pairs base and head by.
func (c Component) PackageKey() string {
	if c.HasPURL {
		return c.PURL.Package()
	}
	return "name:" + c.Name
}

// ParityKey is the identity parity compares across platforms: the
// versioned package URL without its platform qualifiers.
func (c Component) ParityKey() string {
	if c.HasPURL {
		return c.PURL.WithVersion()
	}
	if c.Version == "" {
		return "name:" + c.Name
	}
	return "name:" + c.Name + "@" + c.Version
}

// Display is how messages name the component: its full package URL, or
// name@version.
func (c Component) Display() string {
	if c.HasPURL {
		return c.PURL.String()
	}
	if c.Version == "" {
		return c.Name
	}
	return c.Name + "@" + c.Version
}

// SBOM is a parsed SBOM document.
type SBOM struct {
	// Name is the file (or reference) as messages name it.
	Name string
	// Format is "SPDX-2.3", "CycloneDX 1.6" and so on.
	Format string
	// Subject names what the SBOM describes (CycloneDX metadata.component,
	// SPDX's described packages), for messages and VEX matching.
	Subject string
	// SubjectPURLs are the package URLs of what the SBOM describes.
	SubjectPURLs []string
	// Components are the packages the SBOM lists, without the described
	// subject itself and without image and layer entries (pkg:oci), which
	// name the container rather than what is in it.
	Components []Component
	// Listed counts every package or component the document lists.
	Listed int
	// Vulnerabilities are a CycloneDX document's vulnerabilities section.
	Vulnerabilities []Vulnerability
	// VEX are a CycloneDX document's analysis statements.
	VEX []Statement
}

// ErrUnknownFormat is wrapped when a document is neither SPDX 2.x JSON nor
// CycloneDX JSON.
var ErrUnknownFormat = errors.New("unknown SBOM format")

// sniff is the part of a JSON document that tells its format.
type sniff struct {
	SPDXVersion   string          `json:"spdxVersion"`
	BOMFormat     string          `json:"bomFormat"`
	SpecVersion   string          `json:"specVersion"`
	PayloadType   string          `json:"payloadType"`
	Payload       string          `json:"payload"`
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Predicate     json.RawMessage `json:"predicate"`
}

// ParseSBOM reads an SPDX 2.x or CycloneDX (1.2 to 1.7) JSON document, or
// either inside an in-toto statement or a DSSE envelope holding one (as
// "trivy --format cosign-vuln" and "cosign attest" write them). name is how
// messages name the document.
func ParseSBOM(name string, data []byte) (*SBOM, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var s sniff
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%w: not JSON: %v", ErrUnknownFormat, jsonProblem(err))
	}
	switch {
	case s.SPDXVersion != "":
		return parseSPDX(name, s.SPDXVersion, data)
	case strings.EqualFold(s.BOMFormat, "CycloneDX"):
		return parseCycloneDX(name, data)
	case s.PayloadType != "" && s.Payload != "":
		payload, err := base64.StdEncoding.DecodeString(s.Payload)
		if err != nil {
			return nil, fmt.Errorf("%w: DSSE envelope payload is not base64: %v", ErrUnknownFormat, err)
		}
		return ParseSBOM(name, payload)
	case strings.HasPrefix(s.Type, "https://in-toto.io/Statement/") && len(s.Predicate) > 0:
		return ParseSBOM(name, s.Predicate)
	case s.BOMFormat != "":
		return nil, fmt.Errorf("%w: bomFormat %q, want CycloneDX", ErrUnknownFormat, excerpt(s.BOMFormat))
	}
	return nil, fmt.Errorf("%w: want SPDX 2.x JSON (spdxVersion) or CycloneDX JSON (bomFormat)", ErrUnknownFormat)
}

// finish drops the described subject and container entries, and sorts.
func (s *SBOM) finish(subjectRefs map[string]bool) {
	kept := s.Components[:0]
	for _, c := range s.Components {
		if subjectRefs[c.Ref] {
			if c.HasPURL {
				s.SubjectPURLs = append(s.SubjectPURLs, c.PURL.String())
			}
			continue
		}
		if c.HasPURL && c.PURL.Type == "oci" {
			continue
		}
		kept = append(kept, c)
	}
	s.Components = kept
	sort.SliceStable(s.Components, func(i, j int) bool { return s.Components[i].ParityKey() < s.Components[j].ParityKey() })
}

// newComponent builds a component, reading its package URL when it has a
// valid one.
func newComponent(name, version, purl, ref string, licenses []string) Component {
	c := Component{Name: name, Version: version, Ref: ref, Licenses: licenses}
	if purl != "" {
		if p, err := ParsePURL(purl); err == nil {
			c.PURL, c.HasPURL = p, true
			if c.Version == "" {
				c.Version = p.Version
			}
			if p.Version == "" && c.Version != "" {
				c.PURL.Version = c.Version
			}
		}
	}
	return c
}

// cleanLicense drops the SPDX placeholders for "unknown".
func cleanLicense(l string) string {
	l = strings.TrimSpace(l)
	switch strings.ToUpper(l) {
	case "", "NOASSERTION", "NONE":
		return ""
	}
	return l
}

// jsonProblem shortens a JSON error to its message, dropping Go type names.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type (a JSON %s)", te.Field, te.Value)
	}
	return err.Error()
}

// excerpt keeps an untrusted value short for a message.
func excerpt(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}
