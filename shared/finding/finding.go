package finding

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Finding is one problem a gate found. Path is relative to the repository
// root with forward slashes; Line and Col are 1-based, and 0 when unknown.
type Finding struct {
	Rule        string   `json:"rule"`
	Severity    Severity `json:"severity"`
	Message     string   `json:"message"`
	Path        string   `json:"path,omitempty"`
	Line        int      `json:"line,omitempty"`
	Col         int      `json:"col,omitempty"`
	Fingerprint string   `json:"fingerprint"`
	// Suppression, when set, says the finding is waived: it is still
	// reported (SARIF suppressions, the summary, evidence) but no longer
	// counts toward a deny.
	Suppression *Suppression `json:"suppression,omitempty"`
}

// Suppression records why a finding is waived and until when.
type Suppression struct {
	// Kind is "inSource" for an inline comment in the file itself and
	// "external" for a waiver in a configuration file, as SARIF names them.
	Kind string `json:"kind"`
	// Justification is the waiver's mandatory reason.
	Justification string `json:"justification"`
	// Expires is the last day (YYYY-MM-DD, UTC) the waiver holds.
	Expires string `json:"expires"`
	// Source says where the waiver is written, "path:line".
	Source string `json:"source,omitempty"`
}

// Suppressed reports whether the finding is waived.
func (f Finding) Suppressed() bool { return f.Suppression != nil }

// String renders f as "path:line:col: message [rule]", leaving out the
// position parts that are unknown.
func (f Finding) String() string {
	var b strings.Builder
	if f.Path != "" {
		b.WriteString(f.Path)
		if f.Line > 0 {
			fmt.Fprintf(&b, ":%d", f.Line)
			if f.Col > 0 {
				fmt.Fprintf(&b, ":%d", f.Col)
			}
		}
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s [%s]", f.Message, f.Rule)
	return b.String()
}

// Fingerprint computes a stable identity for a finding from its rule, its
// path and a key that says what was found (for example the offending
// "uses:" value), deliberately not from its line: the fingerprint survives
// edits that move the finding up or down the file, which is what code
// scanning's partialFingerprints and waivers need.
func Fingerprint(rule, path, key string) string {
	h := sha256.New()
	for _, part := range []string{rule, path, key} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Sort orders findings by path, line, column, rule and message so every
// rendering of the same findings is byte-for-byte identical.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// CountAtLeast returns how many unsuppressed findings are at or above min:
// the ones that can deny.
func CountAtLeast(fs []Finding, min Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= min && !f.Suppressed() {
			n++
		}
	}
	return n
}

// Rule describes a rule a gate can report: its id, default severity, a
// one-line summary, help text that says what to do instead, and a link to
// its documentation. SARIF output carries it as a reportingDescriptor.
type Rule struct {
	ID       string
	Severity Severity
	Summary  string
	Help     string
	HelpURI  string
}
