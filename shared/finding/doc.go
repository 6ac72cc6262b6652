// Package finding defines what every hub gate reports: a finding is data
// (rule, severity, message, position, fingerprint), never a Go error.
//
// Findings render as "path:line:col: message [rule]", map one to one onto
// SARIF 2.1.0 results (package sarif) and onto workflow annotations (package
// gate), and are sorted deterministically so output and golden files are
// stable.
package finding
