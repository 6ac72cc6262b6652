package hub.required_gates_test

import data.hub.required_gates

rec(gate, verdict, sha) := {"path": concat("", ["evidence/", gate, ".json"]), "contents": {
	"schemaVersion": 1, "gate": gate, "verdict": verdict, "mode": "enforce",
	"exitCode": {"passed": 0, "denied": 1}[verdict], "sha": sha,
}}

cfg := {"required_gates": {"gates": ["workflow-audit", "sarif-gate"]}}

sha := "3f786850e387550fdab836ed7e6dc881de23001b"

test_all_required_passed if {
	count(required_gates.deny) == 0 with input as [rec("workflow-audit", "passed", sha), rec("sarif-gate", "passed", sha), {"path": "x.json", "contents": {}}]
		with data.hub_config as cfg
}

test_missing_gate_is_denied if {
	required_gates.deny == {"no evidence record of the required gate sarif-gate"} with input as [rec("workflow-audit", "passed", sha)]
		with data.hub_config as cfg
}

test_denied_gate_is_denied_at_its_record if {
	some m in required_gates.deny with input as [rec("workflow-audit", "passed", sha), rec("sarif-gate", "denied", sha)]
		with data.hub_config as cfg
	m._loc.file == "evidence/sarif-gate.json"
}

test_records_of_two_commits_are_denied if {
	count(required_gates.deny) == 1 with input as [rec("workflow-audit", "passed", sha), rec("sarif-gate", "passed", "0000000000000000000000000000000000000000")]
		with data.hub_config as cfg
}

test_nothing_required_is_denied if {
	count(required_gates.deny) == 1 with input as [] with data.hub_config as {}
}
