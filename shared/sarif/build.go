package sarif

import (
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	gosarif "github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/hubgates/hub/shared/finding"
)

// SourceRootID is the uriBaseId every result's artifactLocation carries: the
// root of the repository checkout, which code scanning resolves itself.
const SourceRootID = "%SRCROOT%"

// FingerprintKey is the partialFingerprints key under which a result carries
// finding.Finding.Fingerprint. The "/v1" suffix follows code scanning's
// convention: a new way of computing fingerprints gets a new key.
const FingerprintKey = "hubFingerprint/v1"

// ruleTags are the tags every rule carries in its properties. Code scanning
// treats a rule as a security rule (and reads its security-severity) only
// when its tags include "security".
var ruleTags = []string{"security", "supply-chain"}

// Tool names the program that produced the findings: it becomes the run's
// tool.driver. Name is required. Version is written as driver.version as
// given and, when it parses as a semantic version (with or without a
// leading "v"), also as driver.semanticVersion without the "v".
// InformationURI, when set, must be an absolute http(s) URI.
type Tool struct {
	Name           string
	Version        string
	InformationURI string
}

// semverRE is the regular expression semver.org gives for a SemVer 2.0.0
// version string.
var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// Build turns findings into a SARIF 2.1.0 log with one run, ready for
// github/codeql-action/upload-sarif. rules must hold every rule a finding
// names (more are fine: code scanning lists them as the tool's rules);
// driver.rules keep the order of rules and results keep the order of
// findings, so callers that want stable output sort first (finding.Sort).
// See the package documentation for how each field maps and what Build
// rejects. Build does not change its arguments.
func Build(tool Tool, rules []finding.Rule, findings []finding.Finding, opts ...Option) (*gosarif.Report, error) {
	var cfg config
	for i, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("sarif: option %d is nil", i)
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}

	driver, err := newDriver(tool)
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(rules))
	byID := make(map[string]finding.Rule, len(rules))
	for i, r := range rules {
		if _, dup := index[r.ID]; dup {
			return nil, fmt.Errorf("sarif: rule %q is listed twice", r.ID)
		}
		d, err := newRule(r)
		if err != nil {
			return nil, err
		}
		index[r.ID] = i
		byID[r.ID] = r
		// Append directly: ToolComponent.AddRule silently merges duplicates.
		driver.Rules = append(driver.Rules, d)
	}

	run := gosarif.NewRun(*gosarif.NewTool(driver))
	for i, f := range findings {
		idx, ok := index[f.Rule]
		if !ok {
			return nil, fmt.Errorf("sarif: finding %d %q at %s: unknown rule %q", i, f.Message, where(f), f.Rule)
		}
		res, err := newResult(i, f, byID[f.Rule], idx, cfg.defaultURI)
		if err != nil {
			return nil, err
		}
		// Append directly: Run.AddResult looks the rule index up again and
		// stores uint(-1) when it is missing.
		run.Results = append(run.Results, res)
	}

	if cfg.category != "" {
		run.WithAutomationDetails(gosarif.NewRunAutomationDetails().WithID(cfg.category))
	}
	if cfg.sourceRoot != "" {
		run.WithOriginalUriBaseIds(map[string]*gosarif.ArtifactLocation{
			SourceRootID: gosarif.NewSimpleArtifactLocation(cfg.sourceRoot),
		})
	}
	if inv := cfg.invocation; inv != nil {
		run.AddInvocations(gosarif.NewInvocation().
			WithExecutionSuccess(inv.ok).
			WithStartTimeUTC(inv.start).
			WithEndTimeUTC(inv.end))
	}

	report, err := gosarif.New(gosarif.Version210)
	if err != nil {
		return nil, fmt.Errorf("sarif: creating log: %w", err)
	}
	report.AddRun(run)
	return report, nil
}

// newDriver checks tool and makes the run's tool.driver from it.
func newDriver(tool Tool) (*gosarif.ToolComponent, error) {
	if strings.TrimSpace(tool.Name) == "" {
		return nil, fmt.Errorf("sarif: tool name %q is empty", tool.Name)
	}
	d := gosarif.NewDriver(tool.Name)
	if v := tool.Version; v != "" {
		d.WithVersion(v)
		if sv := strings.TrimPrefix(v, "v"); semverRE.MatchString(sv) {
			d.WithSemanticVersion(sv)
		}
	}
	if tool.InformationURI != "" {
		if err := checkWebURI(tool.InformationURI); err != nil {
			return nil, fmt.Errorf("sarif: tool %q information URI: %w", tool.Name, err)
		}
		d.WithInformationURI(tool.InformationURI)
	}
	return d, nil
}

// newRule checks r and makes its reportingDescriptor.
func newRule(r finding.Rule) (*gosarif.ReportingDescriptor, error) {
	if strings.TrimSpace(r.ID) == "" {
		return nil, fmt.Errorf("sarif: rule %q has an empty id", r.ID)
	}
	if !validSeverity(r.Severity) {
		return nil, fmt.Errorf("sarif: rule %q: invalid severity %d", r.ID, int(r.Severity))
	}
	summary := r.Summary
	if summary == "" {
		summary = r.ID
	}
	help := r.Help
	if help == "" {
		help = summary
	}
	text, markdown := help, help
	d := gosarif.NewRule(r.ID).
		WithName(r.ID).
		WithShortDescription(gosarif.NewMultiformatMessageString(summary)).
		WithFullDescription(gosarif.NewMultiformatMessageString(summary)).
		WithDefaultConfiguration(gosarif.NewReportingConfiguration().WithLevel(r.Severity.SARIFLevel()))
	if r.HelpURI != "" {
		if err := checkWebURI(r.HelpURI); err != nil {
			return nil, fmt.Errorf("sarif: rule %q help URI: %w", r.ID, err)
		}
		text += "\n\nSee " + r.HelpURI
		markdown += "\n\n[More information](" + r.HelpURI + ")"
		d.WithHelpURI(r.HelpURI)
	}
	d.WithTextHelp(text).WithMarkdownHelp(markdown)
	// ReportingDescriptor has its own Properties field, which shadows the
	// embedded PropertyBag's in JSON: set that one.
	d.WithProperties(gosarif.Properties{
		"security-severity": r.Severity.SecurityScore(),
		"tags":              append([]string(nil), ruleTags...),
		"precision":         "high",
		"problem.severity":  problemSeverity(r.Severity),
	})
	return d, nil
}

// newResult checks f, the i-th finding, and makes its result; rule is the
// rule f names, idx its position in driver.rules, and defaultURI the
// location of a finding without a Path ("" for none).
func newResult(i int, f finding.Finding, rule finding.Rule, idx int, defaultURI string) (*gosarif.Result, error) {
	if !validSeverity(f.Severity) {
		return nil, fmt.Errorf("sarif: finding %d %q at %s: invalid severity %d", i, f.Message, where(f), int(f.Severity))
	}
	if f.Line < 0 || f.Col < 0 {
		return nil, fmt.Errorf("sarif: finding %d %q at %s: negative line or column", i, f.Message, where(f))
	}
	msg := f.Message
	if msg == "" {
		msg = cmp.Or(rule.Summary, rule.ID)
	}
	res := gosarif.NewRuleResult(f.Rule).
		WithRuleIndex(idx).
		WithLevel(f.Severity.SARIFLevel()).
		WithMessage(gosarif.NewTextMessage(msg))
	uri := defaultURI
	if f.Path != "" {
		var err error
		if uri, err = artifactURI(f.Path); err != nil {
			return nil, fmt.Errorf("sarif: finding %d %q: %w", i, f.Message, err)
		}
	}
	if uri != "" {
		pl := gosarif.NewPhysicalLocation().
			WithArtifactLocation(gosarif.NewSimpleArtifactLocation(uri).WithUriBaseId(SourceRootID))
		if f.Path != "" && f.Line > 0 {
			region := gosarif.NewRegion().WithStartLine(f.Line)
			if f.Col > 0 {
				region.WithStartColumn(f.Col)
			}
			pl.WithRegion(region)
		}
		res.WithLocations([]*gosarif.Location{gosarif.NewLocationWithPhysicalLocation(pl)})
	}
	if f.Fingerprint != "" {
		res.WithPartialFingerPrints(map[string]any{FingerprintKey: f.Fingerprint})
	}
	if f.Suppression != nil {
		sup, err := newSuppression(f)
		if err != nil {
			return nil, fmt.Errorf("sarif: finding %d %q at %s: %w", i, f.Message, where(f), err)
		}
		res.WithSuppression([]*gosarif.Suppression{sup})
	}
	return res, nil
}

// The suppression kinds SARIF defines.
const (
	suppressionInSource = "inSource"
	suppressionExternal = "external"
)

// newSuppression makes the SARIF suppression of a waived finding. Every
// field is set: go-sarif writes unset ones as null, which the schema
// rejects.
func newSuppression(f finding.Finding) (*gosarif.Suppression, error) {
	s := f.Suppression
	if s.Kind != suppressionInSource && s.Kind != suppressionExternal {
		return nil, fmt.Errorf("suppression kind: expected %q or %q, got %q", suppressionInSource, suppressionExternal, s.Kind)
	}
	loc := gosarif.NewLocation()
	props := gosarif.Properties{}
	if s.Source != "" {
		p, line := splitSource(s.Source)
		// A waiver file outside the repository (a config named by an
		// absolute path, say) has no location SARIF can express relative
		// to the source root; the waiver still holds, and its source is
		// kept as text rather than failing the whole report.
		if uri, err := artifactURI(p); err == nil {
			pl := gosarif.NewPhysicalLocation().
				WithArtifactLocation(gosarif.NewSimpleArtifactLocation(uri).WithUriBaseId(SourceRootID))
			if line > 0 {
				pl.WithRegion(gosarif.NewRegion().WithStartLine(line))
			}
			loc.WithPhysicalLocation(pl)
		} else {
			props["source"] = s.Source
		}
	}
	sup := gosarif.NewSuppression(s.Kind).
		WithStatus("accepted").
		WithJustifcation(s.Justification).
		WithLocation(loc).
		WithGuid(suppressionGUID(f))
	if s.Expires != "" {
		props["expires"] = s.Expires
	}
	if len(props) > 0 {
		sup.Properties = props
	}
	return sup, nil
}

// splitSource splits a suppression source "path:line" into its parts; a
// source without a numeric ":line" suffix is all path.
func splitSource(src string) (string, int) {
	if i := strings.LastIndexByte(src, ':'); i > 0 {
		if n, err := strconv.Atoi(src[i+1:]); err == nil && n > 0 {
			return src[:i], n
		}
	}
	return src, 0
}

// guidNamespace is the UUID namespace of hub's suppression GUIDs.
var guidNamespace = [16]byte{0x8d, 0x3e, 0x6a, 0x57, 0x2c, 0x41, 0x4f, 0x0b, 0x9e, 0x15, 0x6b, 0x7a, 0x30, 0xd2, 0xc4, 0x18}

// suppressionGUID is a name-based (version 5, RFC 9562) UUID of the waived
// finding and its waiver: the same waiver of the same finding gets the
// same GUID in every run, as SARIF asks of a suppression's guid.
func suppressionGUID(f finding.Finding) string {
	s := f.Suppression
	who := f.Fingerprint
	if who == "" {
		who = f.Path + ":" + strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Col)
	}
	h := sha1.New()
	h.Write(guidNamespace[:])
	h.Write([]byte(strings.Join([]string{f.Rule, who, s.Kind, s.Source, s.Justification, s.Expires}, "\x00")))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	x := hex.EncodeToString(u)
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// artifactURI checks that p is a repository-relative, forward-slash path and
// returns it as a relative URI reference: cleaned ("./a//b" is "a/b") and
// percent-encoded where a URI needs it. Any character a file name can hold
// is accepted (a backslash, a line break), since a hostile repository's
// odd names are exactly what findings report; the URI encodes them.
func artifactURI(p string) (string, error) {
	switch {
	case strings.HasPrefix(p, "/"):
		return "", fmt.Errorf("path %q is absolute: want a repository-relative path", p)
	case hasDotDot(p):
		return "", fmt.Errorf("path %q contains a .. segment: want a repository-relative path", p)
	}
	clean := path.Clean(p)
	if clean == "." {
		return "", fmt.Errorf("path %q names no file", p)
	}
	uri := (&url.URL{Path: clean}).EscapedPath()
	// A colon in the first segment would make the reference read as a
	// scheme ("a:b/c"); escape it there.
	first, rest, found := strings.Cut(uri, "/")
	first = strings.ReplaceAll(first, ":", "%3A")
	if found {
		return first + "/" + rest, nil
	}
	return first, nil
}

// checkWebURI checks that s is an absolute http or https URI.
func checkWebURI(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URI", s)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return fmt.Errorf("%q contains whitespace or a control character", s)
	}
	return nil
}

// problemSeverity is the value code scanning reads from a rule's
// "problem.severity" property for alerts that are not security alerts.
func problemSeverity(s finding.Severity) string {
	switch s.SARIFLevel() {
	case "error":
		return "error"
	case "warning":
		return "warning"
	default:
		return "recommendation"
	}
}

func validSeverity(s finding.Severity) bool {
	return s >= finding.Info && s <= finding.Critical
}

// where renders a finding's position for error messages.
func where(f finding.Finding) string {
	if f.Path == "" {
		return "(no path)"
	}
	s := f.Path
	if f.Line != 0 {
		s += ":" + strconv.Itoa(f.Line)
		if f.Col != 0 {
			s += ":" + strconv.Itoa(f.Col)
		}
	}
	return s
}
