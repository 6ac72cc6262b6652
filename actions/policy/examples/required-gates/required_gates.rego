# Required gates over evidence records. Run with combine: true over the
# evidence directory the gates wrote (evidence-dir): every gate named in
# data.hub_config.required_gates.gates must have a record, every record of a
# required gate must say passed (a deny in warn mode is still "denied"),
# and all of them must be about one commit.
package hub.required_gates

default required := []

required := data.hub_config.required_gates.gates

# Evidence records among the inputs (other documents are ignored).
records contains r if {
	some r in input
	r.contents.schemaVersion == 1
	is_string(r.contents.gate)
	is_string(r.contents.verdict)
}

deny contains "data.hub_config.required_gates.gates names no gate: a required-gates policy that requires nothing proves nothing" if {
	count(required) == 0
}

deny contains msg if {
	some g in required
	not has_record(g)
	msg := sprintf("no evidence record of the required gate %s", [g])
}

has_record(g) if {
	some r in records
	r.contents.gate == g
}

deny contains {"msg": msg, "_loc": {"file": r.path, "path": ["verdict"]}} if {
	some r in records
	r.contents.gate in required
	r.contents.verdict != "passed"
	msg := sprintf("required gate %s did not pass: verdict %s (exit code %v, mode %s)", [r.contents.gate, r.contents.verdict, r.contents.exitCode, r.contents.mode])
}

shas contains r.contents.sha if {
	some r in records
	r.contents.gate in required
}

deny contains msg if {
	count(shas) > 1
	msg := sprintf("the required gates' records are about %d different commits (%s): they do not prove one commit", [count(shas), concat(", ", sort(shas))])
}
