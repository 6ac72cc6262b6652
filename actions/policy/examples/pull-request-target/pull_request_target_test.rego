package hub.pull_request_target_test

import data.hub.pull_request_target

file := {"dir": ".github/workflows", "name": "label.yml"}

allowlist := {"pull_request_target": {"allowed": [".github/workflows/label.yml"]}}

safe := {
	"on": {"pull_request_target": {"types": ["opened"]}},
	"jobs": {"label": {"steps": [{"uses": "actions/labeler@8558fd74291d67161a8a78ce36a881fa63b766a9"}]}},
}

test_allowlisted_safe_workflow_passes if {
	count(pull_request_target.deny) == 0 with input as safe
		with data.conftest.file as file
		with data.hub_config as allowlist
}

test_workflow_not_in_allowlist_is_denied if {
	count(pull_request_target.deny) == 1 with input as safe
		with data.conftest.file as {"dir": ".github/workflows", "name": "other.yml"}
		with data.hub_config as allowlist
}

test_no_allowlist_denies if {
	count(pull_request_target.deny) == 1 with input as safe with data.conftest.file as file with data.hub_config as {}
}

test_checkout_of_head_is_denied if {
	wf := json.patch(safe, [{"op": "add", "path": "/jobs/label/steps/-", "value": {
		"uses": "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
		"with": {"ref": "${{ github.event.pull_request.head.sha }}"},
	}}])
	some m in pull_request_target.deny with input as wf
		with data.conftest.file as file
		with data.hub_config as allowlist
	contains(m.msg, "checks out the pull request's code")
}

test_gh_pr_checkout_is_denied if {
	wf := json.patch(safe, [{"op": "add", "path": "/jobs/label/steps/-", "value": {"run": "gh pr checkout ${{ github.event.number }}\nmake"}}])
	count(pull_request_target.deny) == 1 with input as wf
		with data.conftest.file as file
		with data.hub_config as allowlist
}

test_trigger_as_list_and_string if {
	count(pull_request_target.deny) == 1 with input as {"on": ["push", "pull_request_target"]}
		with data.conftest.file as file
		with data.hub_config as {}
	count(pull_request_target.deny) == 1 with input as {"on": "pull_request_target"}
		with data.conftest.file as file
		with data.hub_config as {}
}

test_other_triggers_may_check_out_head if {
	count(pull_request_target.deny) == 0 with input as {"on": "pull_request", "jobs": {"t": {"steps": [{"uses": "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "with": {"ref": "${{ github.event.pull_request.head.sha }}"}}]}}}
		with data.conftest.file as file
}
