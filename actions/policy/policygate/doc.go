// Package policygate is the policy gate: it evaluates Rego policies with
// OPA's engine, linked in, over JSON and YAML documents (workflows, SBOMs,
// provenance statements, evidence records or any configuration) and keeps
// the three outcomes of a policy run apart, so an outage never reads as a
// policy decision and a broken policy never reads as compliance:
//
//   - a denial (a deny or violation rule produced a message) is exit 1, each
//     message a finding at its input's file and, where the rule gives it,
//     line;
//   - a policy that does not compile, a capability it lacks, or an input
//     that does not parse is exit 2, naming the file and the place;
//   - an evaluation that cannot finish (conflicting rule outputs, a builtin
//     error such as a failed http.send, a timeout) is exit 3, naming the
//     rule and the input it was evaluating.
//
// The policy's own unit tests (*_test.rego) run first, as "opa test" runs
// them: a failing test is exit 1 naming the test, and coverage goes to the
// summary.
//
// # Conftest's conventions
//
// Existing conftest policies run unchanged: rules named deny, violation
// and warn (or with a suffix, deny_x) return sets of strings or of objects
// with a msg field; packages (namespaces) are main by default, or all;
// exception rules turn a rule's results into exceptions; data.conftest.file
// names the file being evaluated; combine evaluates all inputs at once as
// a list of {path, contents}; a multi-document YAML file is evaluated one
// document at a time. A result object may carry _loc: {file, line} as in
// conftest and, beyond it, _loc.path: the keys and indices of the value in
// the input document, which the gate resolves to the value's line.
//
// One deliberate difference: YAML is read as YAML 1.2, as GitHub reads
// workflows, so the key "on" is the string "on" (conftest's YAML 1.1
// parser turns it into "true").
//
// # Capabilities
//
// Policies compile against OPA's built-in functions less the ones that
// reach the network (http.send, net.lookup_ip_addr), unless a capabilities
// file (OPA's format) says otherwise; calling one the capabilities lack is
// a compile error. Builtin errors are raised, never silently undefined.
package policygate
