package sarifgate

import (
	"bytes"
	"encoding/json"
	"slices"
)

// The types below are SARIF 2.1.0 objects reduced to the fields code
// scanning reads. They serve both ways: the reader decodes foreign logs into
// them (unknown fields are skipped, so nothing else is held in memory) and
// the writer encodes them back after sanitize has dropped what the schema
// would reject. Index references into run-level arrays that are not carried
// over (artifacts, logical locations, thread flow locations) are resolved
// while reading and then dropped.

// message is a SARIF message: text, or an id into the rule's messageStrings
// with arguments.
type message struct {
	Text      string   `json:"text,omitempty"`
	Markdown  string   `json:"markdown,omitempty"`
	ID        string   `json:"id,omitempty"`
	Arguments []string `json:"arguments,omitempty"`
}

// multiformat is a multiformatMessageString (text is required).
type multiformat struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

// artifactLocation names a file: a URI, maybe relative to a uriBaseId, or
// an index into the run's artifacts.
type artifactLocation struct {
	URI       string `json:"uri,omitempty"`
	URIBaseID string `json:"uriBaseId,omitempty"`
	Index     *int   `json:"index,omitempty"`
}

// artifactContent is a region's snippet.
type artifactContent struct {
	Text string `json:"text,omitempty"`
}

// region is a part of a file. Zero lines and columns mean "not given".
type region struct {
	StartLine   int              `json:"startLine,omitempty"`
	StartColumn int              `json:"startColumn,omitempty"`
	EndLine     int              `json:"endLine,omitempty"`
	EndColumn   int              `json:"endColumn,omitempty"`
	CharOffset  *int             `json:"charOffset,omitempty"`
	CharLength  *int             `json:"charLength,omitempty"`
	ByteOffset  *int             `json:"byteOffset,omitempty"`
	ByteLength  *int             `json:"byteLength,omitempty"`
	Snippet     *artifactContent `json:"snippet,omitempty"`
	Message     *message         `json:"message,omitempty"`
}

// physicalLocation is a file and a region in it.
type physicalLocation struct {
	ArtifactLocation *artifactLocation `json:"artifactLocation,omitempty"`
	Region           *region           `json:"region,omitempty"`
	ContextRegion    *region           `json:"contextRegion,omitempty"`
}

// logicalLocation is a named place (a function, a workflow job). Its index
// and properties are not kept.
type logicalLocation struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	DecoratedName      string `json:"decoratedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}

// location is where a result (or a step of its flow) is.
type location struct {
	ID               *int              `json:"id,omitempty"`
	PhysicalLocation *physicalLocation `json:"physicalLocation,omitempty"`
	LogicalLocations []logicalLocation `json:"logicalLocations,omitempty"`
	Message          *message          `json:"message,omitempty"`
}

// threadFlowLocation is one step of a data flow path.
type threadFlowLocation struct {
	Location       *location `json:"location,omitempty"`
	Importance     string    `json:"importance,omitempty"`
	NestingLevel   *int      `json:"nestingLevel,omitempty"`
	ExecutionOrder *int      `json:"executionOrder,omitempty"`
}

// threadFlow is a sequence of steps.
type threadFlow struct {
	Message   *message             `json:"message,omitempty"`
	Locations []threadFlowLocation `json:"locations"`
}

// codeFlow is the path a path-problem query reports.
type codeFlow struct {
	Message     *message     `json:"message,omitempty"`
	ThreadFlows []threadFlow `json:"threadFlows"`
}

// suppression says a result is accepted: in the source (a tool's own
// ignore comment) or externally (a waiver).
type suppression struct {
	Kind          string      `json:"kind"`
	Status        string      `json:"status,omitempty"`
	Justification string      `json:"justification,omitempty"`
	Location      *location   `json:"location,omitempty"`
	Properties    propertyBag `json:"properties,omitempty"`
}

// toolComponentRef points at the driver or an extension.
type toolComponentRef struct {
	Name  string `json:"name,omitempty"`
	Index *int   `json:"index,omitempty"`
}

// ruleRef points at a rule, possibly in an extension.
type ruleRef struct {
	ID            string            `json:"id,omitempty"`
	Index         *int              `json:"index,omitempty"`
	ToolComponent *toolComponentRef `json:"toolComponent,omitempty"`
}

// result is one thing a tool reported.
type result struct {
	RuleID              string        `json:"ruleId,omitempty"`
	RuleIndex           *int          `json:"ruleIndex,omitempty"`
	Rule                *ruleRef      `json:"rule,omitempty"`
	Kind                string        `json:"kind,omitempty"`
	Level               string        `json:"level,omitempty"`
	Message             message       `json:"message"`
	Locations           []location    `json:"locations,omitempty"`
	RelatedLocations    []location    `json:"relatedLocations,omitempty"`
	CodeFlows           []codeFlow    `json:"codeFlows,omitempty"`
	PartialFingerprints stringMap     `json:"partialFingerprints,omitempty"`
	Fingerprints        stringMap     `json:"fingerprints,omitempty"`
	Suppressions        []suppression `json:"suppressions,omitempty"`
	BaselineState       string        `json:"baselineState,omitempty"`
	Properties          propertyBag   `json:"properties,omitempty"`
}

// reportingConfiguration is a rule's default configuration.
type reportingConfiguration struct {
	Level   string   `json:"level,omitempty"`
	Enabled *bool    `json:"enabled,omitempty"`
	Rank    *float64 `json:"rank,omitempty"`
}

// rule is a reportingDescriptor.
type rule struct {
	ID                   string                  `json:"id"`
	Name                 string                  `json:"name,omitempty"`
	ShortDescription     *multiformat            `json:"shortDescription,omitempty"`
	FullDescription      *multiformat            `json:"fullDescription,omitempty"`
	Help                 *multiformat            `json:"help,omitempty"`
	HelpURI              string                  `json:"helpUri,omitempty"`
	DefaultConfiguration *reportingConfiguration `json:"defaultConfiguration,omitempty"`
	MessageStrings       map[string]multiformat  `json:"messageStrings,omitempty"`
	Properties           propertyBag             `json:"properties,omitempty"`
}

// toolComponent is a run's driver or one of its extensions.
type toolComponent struct {
	Name            string `json:"name"`
	FullName        string `json:"fullName,omitempty"`
	Version         string `json:"version,omitempty"`
	SemanticVersion string `json:"semanticVersion,omitempty"`
	Organization    string `json:"organization,omitempty"`
	InformationURI  string `json:"informationUri,omitempty"`
	Rules           []rule `json:"rules,omitempty"`
}

// tool is a run's tool.
type tool struct {
	Driver     toolComponent   `json:"driver"`
	Extensions []toolComponent `json:"extensions,omitempty"`
}

// artifact is an entry of run.artifacts; only its location is read.
type artifact struct {
	Location *artifactLocation `json:"location,omitempty"`
}

// automationDetails carries the run's category in its id.
type automationDetails struct {
	ID string `json:"id,omitempty"`
}

// stringMap is a map of strings that skips non-string and empty values
// instead of failing: partialFingerprints are strings in every tool we
// know, a stray number must not make a whole log unreadable, and an empty
// value (gitleaks writes "commitSha": "" outside a git history) identifies
// nothing.
type stringMap map[string]string

// UnmarshalJSON keeps the non-empty string values of a JSON object.
func (m *stringMap) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(stringMap, len(raw))
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil && s != "" {
			out[k] = s
		}
	}
	*m = out
	return nil
}

// propertyBag is a SARIF property bag kept as raw JSON values, so the gate
// passes through what tools put there while reading the few keys it needs.
type propertyBag map[string]json.RawMessage

// UnmarshalJSON accepts a JSON object; null leaves the bag empty.
func (p *propertyBag) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*p = nil
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*p = raw
	return nil
}

// str returns the property key as a string: a JSON string as is, a number
// as written, anything else "".
func (p propertyBag) str(key string) string {
	v, ok := p[key]
	if !ok {
		return ""
	}
	// Most values are plain strings: read them without a decoder.
	if n := len(v); n >= 2 && v[0] == '"' && v[n-1] == '"' && bytes.IndexByte(v[1:n-1], '\\') < 0 && bytes.IndexByte(v[1:n-1], '"') < 0 {
		return string(v[1 : n-1])
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String()
	}
	return ""
}

// tags returns the property bag's "tags" strings.
func (p propertyBag) tags() []string {
	v, ok := p["tags"]
	if !ok {
		return nil
	}
	var raw []json.RawMessage
	if json.Unmarshal(v, &raw) != nil {
		return nil
	}
	out := make([]string, 0, len(raw))
	for _, t := range raw {
		var s string
		if json.Unmarshal(t, &s) == nil {
			out = append(out, s)
		}
	}
	return out
}

// sanitizeTags rewrites "tags" so the schema accepts it (unique strings)
// and, when max > 0, code scanning keeps it (at most max entries); it
// reports whether entries were dropped beyond max.
func (p propertyBag) sanitizeTags(max int) bool {
	if _, ok := p["tags"]; !ok {
		return false
	}
	var clean []string
	for _, t := range p.tags() {
		if !slices.Contains(clean, t) {
			clean = append(clean, t)
		}
	}
	trimmed := max > 0 && len(clean) > max
	if trimmed {
		clean = clean[:max]
	}
	if clean == nil {
		clean = []string{}
	}
	b, _ := json.Marshal(clean)
	p["tags"] = b
	return trimmed
}
