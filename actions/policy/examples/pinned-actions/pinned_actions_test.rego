package hub.pinned_actions_test

import data.hub.pinned_actions

sha := "11bd71901bbe5b1630ceea73d27597364c9af683"

test_pinned_steps_pass if {
	count(pinned_actions.deny) == 0 with input as {"jobs": {"b": {"steps": [
		{"uses": concat("@", ["actions/checkout", sha])},
		{"uses": concat("@", ["github/codeql-action/upload-sarif", sha])},
		{"uses": "./.github/actions/setup"},
		{"uses": "docker://alpine@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"},
		{"run": "make"},
	]}}}
}

test_tag_is_denied if {
	some m in pinned_actions.deny with input as {"jobs": {"b": {"steps": [{"uses": "actions/checkout@v4"}]}}}
	m.msg == "job b step 1 uses actions/checkout@v4: pin it to a full 40-character commit SHA (keep the tag in a comment)"
	m._loc.path == ["jobs", "b", "steps", 0, "uses"]
}

test_short_sha_and_branch_are_denied if {
	count(pinned_actions.deny) == 2 with input as {"jobs": {"b": {"steps": [{"uses": "actions/checkout@11bd719"}, {"uses": "actions/checkout@main"}]}}}
}

test_reusable_workflow_call_must_be_pinned if {
	count(pinned_actions.deny) == 1 with input as {"jobs": {"call": {"uses": "org/repo/.github/workflows/ci.yml@main"}}}
	count(pinned_actions.deny) == 0 with input as {"jobs": {"call": {"uses": concat("@", ["org/repo/.github/workflows/ci.yml", sha])}}}
}

test_docker_tag_is_denied if {
	some m in pinned_actions.deny with input as {"runs": {"using": "composite", "steps": [{"uses": "docker://alpine:3"}]}}
	contains(m.msg, "@sha256 digest")
}
